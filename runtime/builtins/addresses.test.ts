import { describe, it, expect } from 'vitest';
import * as $ from '../builtins.js';
import { mulberry32 as rng } from '../../test/support/prng.js';
import { throwsFlow } from './test-support/flow-error.js';

describe('split_street', () => {
  it.each([
    ['1200 North Lake Shore Drive', 30, ['1200 North Lake Shore Drive', '', '']],
    ['Apartment 4B, 1200 North Lake Shore Drive, Building C', 30, ['Apartment 4B', '1200 North Lake Shore Drive', 'Building C']],
    ['Apt 4B, 12 Main St', 30, ['Apt 4B, 12 Main St', '', '']],
    ['Suite 100, Floor 2, 350 Fifth Avenue, Empire State Building', 30, ['Suite 100, Floor 2', '350 Fifth Avenue', 'Empire State Building']],
    ['1200 North Lake Shore Drive\nApartment 4B', 30, ['1200 North Lake Shore Drive', 'Apartment 4B', '']],
    ['1200 North Lake Shore Drive\r\n\r\n  Apt   4B  ', 30, ['1200 North Lake Shore Drive', 'Apt 4B', '']],
    ['Unit B,1,200 Industrial Parkway', 30, ['Unit B', '1,200 Industrial Parkway', '']],
    ['Unit B,1,200 Industrial Parkway', 40, ['Unit B,1,200 Industrial Parkway', '', '']],
    ['Unit 5,1200 Industrial Parkway North', 30, ['Unit 5,1200 Industrial Parkway', 'North', '']],
    ['Rheinland-Pfälzische Straßenverkehrsbehörde Hauptstraße 7', 30, ['Rheinland-Pfälzische', 'Straßenverkehrsbehörde', 'Hauptstraße 7']],
    ['Attn: Receiving\nBuilding 7\nDock 3\n100 Main St', 30, ['Attn: Receiving, Building 7', 'Dock 3, 100 Main St', '']],
    [
      'c/o Northwind Traders International Purchasing Department, 4567 Commerce Boulevard Northwest, Suite 1200, Mailstop 42',
      30,
      ['c/o Northwind Traders', 'International Purchasing', 'Department, 4567 Commerce Boul'],
    ],
    ['Supercalifragilisticexpialidocious Road 1', 10, ['Supercalif', 'ragilistic', 'expialidoc']],
    ['  ,  ', 30, ['', '', '']],
    ['', 30, ['', '', '']],
    ['PO Box 12, ', 30, ['PO Box 12', '', '']],
  ] as const)('split_street(%j, %s)', (s, width, [line1, line2, line3]) => {
    expect($.split_street(s, width)).toEqual({ line1, line2, line3 });
  });

  it('never produces a line longer than width', () => {
    const r = rng(99);
    const words = ['Apt', '4B', '1200', 'North', 'Lake', 'Shore', 'Drive,', 'Building', 'C,', 'Suite', '100', 'Receiving\n', 'Schlossallee', 'Straße', '😀😀'];
    for (let k = 0; k < 2000; k++) {
      let s = '';
      const n = 1 + Math.floor(r() * 20);
      for (let i = 0; i < n; i++) s += words[Math.floor(r() * words.length)] + (r() < 0.1 ? '' : ' ');
      const width = 5 + Math.floor(r() * 30);
      const out = $.split_street(s, width)!;
      for (const line of [out.line1, out.line2, out.line3]) {
        expect($.length(line), `${JSON.stringify(s)} @${width}`).toBeLessThanOrEqual(width);
        expect(line).toBe(line.trim());
      }
    }
  });

  it('defaults to 30 and propagates null', () => {
    expect($.split_street('1200 North Lake Shore Drive, Building C')).toEqual({ line1: '1200 North Lake Shore Drive', line2: 'Building C', line3: '' });
    expect($.split_street(null)).toBeNull();
    throwsFlow(() => $.split_street('x', 0), 'split_street: width must be a positive int, got 0');
  });
});

describe('split_name', () => {
  it.each([
    ['John Smith', 'John', 'Smith'],
    ['  John   Smith ', 'John', 'Smith'],
    ['Smith, John', 'John', 'Smith'],
    ['Smith,John', 'John', 'Smith'],
    ['Mary Ann van der Berg', 'Mary Ann', 'van der Berg'],
    ['van der Berg, Mary Ann', 'Mary Ann', 'van der Berg'],
    ['Ludwig van Beethoven', 'Ludwig', 'van Beethoven'],
    ['Leonardo da Vinci', 'Leonardo', 'da Vinci'],
    ['Maria de la Cruz', 'Maria', 'de la Cruz'],
    ['Otto von Bismarck', 'Otto', 'von Bismarck'],
    ['Mary St. John', 'Mary', 'St. John'],
    ['Van Morrison', 'Van', 'Morrison'],
    ['John F. Kennedy', 'John F.', 'Kennedy'],
    ['John Smith Jr.', 'John', 'Smith Jr.'],
    ['John Smith, Jr.', 'John', 'Smith Jr.'],
    ['Martin Luther King Jr', 'Martin Luther', 'King Jr'],
    ['Henry Ford III', 'Henry', 'Ford III'],
    ['Smith, John, Jr.', 'John', 'Smith Jr.'],
    ['Cher', '', 'Cher'],
    ['Jr.', '', 'Jr.'],
    ['José Núñez', 'José', 'Núñez'],
    ['Smith,', '', 'Smith'],
    ['', '', ''],
    ['   ', '', ''],
  ] as const)('split_name(%j) = %j / %j', (s, first, last) => {
    expect($.split_name(s)).toEqual({ first, last });
  });

  it('propagates null', () => {
    expect($.split_name(null)).toBeNull();
  });
});

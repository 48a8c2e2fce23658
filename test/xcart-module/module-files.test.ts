/**
 * The X-Cart module's files: `php -l` on every PHP file, the layout of a real X-Cart 5.5 module
 * (modules/<Author>/<Name>/ with config/main.yaml, install.yaml, services.yaml and src/), namespaces
 * that match the paths (X-Cart's autoloader maps Connect\Push\X\Y to src/X/Y.php), and every service
 * named in services.yaml present as a class file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { HAS_PHP, MODULE_DIR, NO_PHP_MESSAGE, filesUnder, php } from './php.js';

const files = filesUnder(MODULE_DIR);
const phpFiles = files.filter((f) => f.endsWith('.php'));

describe.skipIf(!HAS_PHP)(`the X-Cart module passes php -l${HAS_PHP ? '' : ` (skipped: ${NO_PHP_MESSAGE})`}`, () => {
  it('has PHP files to check', () => {
    expect(phpFiles.length).toBeGreaterThanOrEqual(15);
  });
  it.each(phpFiles)('php -l %s', async (f) => {
    const r = await php(['-l', path.join(MODULE_DIR, f)]);
    expect({ code: r.code, out: r.stdout + r.stderr }).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('No syntax errors detected');
  });
});

describe('the X-Cart module has the layout of a real X-Cart 5.5 module', () => {
  it('config/main.yaml, install.yaml and services.yaml parse and say what X-Cart reads', () => {
    const main = YAML.parse(fs.readFileSync(path.join(MODULE_DIR, 'config/main.yaml'), 'utf8'));
    expect(main).toMatchObject({ version: '5.5.0.0', type: 'common', authorName: 'Connect', moduleName: expect.any(String), canDisable: true });
    const install = YAML.parse(fs.readFileSync(path.join(MODULE_DIR, 'config/install.yaml'), 'utf8'));
    const settings = (install['XLite\\Model\\Config'] as { name: string; category: string }[]);
    expect(settings.map((s) => s.name)).toEqual(['flowd_url', 'push_secret', 'timeout', 'push_orders', 'push_customers']);
    for (const s of settings) expect(s.category).toBe('Connect\\Push');
    const services = YAML.parse(fs.readFileSync(path.join(MODULE_DIR, 'config/services.yaml'), 'utf8'));
    expect(services.api_platform.mapping.paths).toEqual(['%kernel.project_dir%/var/run/classes/Connect/Push/API/Resource']);
    for (const cls of Object.keys(services.services).filter((k) => k !== '_defaults')) {
      const file = path.join(MODULE_DIR, 'src', cls.replace(/^Connect\\Push\\/, '').replace(/\\/g, '/') + '.php');
      expect(fs.existsSync(file), `${cls} → ${path.relative(MODULE_DIR, file)}`).toBe(true);
    }
  });

  it('each class under src/ is declared in the namespace its path gives', () => {
    for (const f of phpFiles.filter((x) => x.startsWith('src/'))) {
      const text = fs.readFileSync(path.join(MODULE_DIR, f), 'utf8');
      const rel = f.slice('src/'.length, -'.php'.length).split('/');
      const cls = rel.pop()!;
      const ns = ['Connect', 'Push', ...rel].join('\\');
      expect(text, f).toContain(`namespace ${ns};`);
      expect(text, f).toMatch(new RegExp(`^(abstract |final )?class ${cls}\\b`, 'm'));
    }
  });

  it('declares the endpoints flowd calls and the hooks that push', () => {
    const read = (f: string) => fs.readFileSync(path.join(MODULE_DIR, f), 'utf8');
    expect(read('src/API/Resource/ModuleInfo.php')).toContain('"path"="/connect/module.{_format}"');
    expect(read('src/API/Resource/TrackingNumber.php')).toContain('"path"="/connect/orders/{order_id}/tracking_numbers.{_format}"');
    expect(read('src/API/Resource/StaffNote.php')).toContain('"path"="/connect/orders/{id}/staff_note.{_format}"');
    expect(read('src/Model/Order.php')).toMatch(/@Extender\\Mixin[\s\S]*class Order extends \\XLite\\Model\\Order/);
    expect(read('src/Model/Profile.php')).toMatch(/@Extender\\Mixin[\s\S]*class Profile extends \\XLite\\Model\\Profile/);
  });
});

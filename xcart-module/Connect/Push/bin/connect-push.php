<?php

/**
 * Connect push module for X-Cart 5.5: command-line entry point to the module's signer and sender.
 * Runs with plain php-cli (no X-Cart needed): the tests use it, and a store admin re-sends an event
 * with it (a customer push that failed, say).
 *
 *   CONNECT_PUSH_SECRET=... php bin/connect-push.php sign [--timestamp N] < body.json
 *       prints {"timestamp": "...", "signature": "sha256=..."} for the body as read
 *   CONNECT_PUSH_SECRET=... php bin/connect-push.php send --url https://flowd.example/hooks/xcart
 *       (--type order.created|order.updated|order.paid --id 42 [--number 100042] | --type customer.updated --id 7 [--email a@b.c]
 *        | --body-stdin) [--timestamp N]
 *       signs and POSTs; prints {"status": 202, "body": "..."}; exit 0 on 2xx, 1 otherwise, 2 on usage
 *
 * The secret is read from the environment only, never from the command line (where `ps` shows it),
 * and never printed.
 */

declare(strict_types=1);

require_once __DIR__ . '/../src/Core/Signer.php';
require_once __DIR__ . '/../src/Core/Event.php';
require_once __DIR__ . '/../src/Core/Sender.php';

use Connect\Push\Core\Event;
use Connect\Push\Core\Sender;
use Connect\Push\Core\Signer;

function usage(string $why): void
{
    fwrite(STDERR, "connect-push: $why\nusage: connect-push.php sign [--timestamp N] < body | send --url URL (--type T --id N [--number X] [--email E] | --body-stdin) [--timestamp N]\n(secret: environment variable CONNECT_PUSH_SECRET)\n");
    exit(2);
}

/** @return array<string, string|true> */
function options(array $argv): array
{
    $out = [];
    for ($i = 0; $i < count($argv); $i++) {
        if (!str_starts_with($argv[$i], '--')) {
            usage("unexpected argument '{$argv[$i]}'");
        }
        $name = substr($argv[$i], 2);
        if ($name === 'body-stdin') {
            $out[$name] = true;
            continue;
        }
        if (!isset($argv[$i + 1])) {
            usage("--$name needs a value");
        }
        $out[$name] = $argv[++$i];
    }

    return $out;
}

$command = $argv[1] ?? '';
$opts = options(array_slice($argv, 2));
$secret = getenv('CONNECT_PUSH_SECRET');
if ($secret === false || $secret === '') {
    usage('set CONNECT_PUSH_SECRET to the push secret (triggers.push.secret in connect.yaml)');
}
$timestamp = null;
if (isset($opts['timestamp'])) {
    if (!is_string($opts['timestamp']) || !preg_match('/^\d{1,12}$/', $opts['timestamp'])) {
        usage('--timestamp must be unix seconds');
    }
    $timestamp = (int) $opts['timestamp'];
}

try {
    $signer = new Signer($secret);
    if ($command === 'sign') {
        $body = stream_get_contents(STDIN);
        $headers = $signer->headers((string) $body, $timestamp);
        echo json_encode(['timestamp' => $headers[Signer::HEADER_TIMESTAMP], 'signature' => $headers[Signer::HEADER_SIGNATURE]]), "\n";
        exit(0);
    }
    if ($command === 'send') {
        if (!isset($opts['url']) || !is_string($opts['url'])) {
            usage('send needs --url');
        }
        $sender = new Sender($opts['url'], $signer, 10);
        if (isset($opts['body-stdin'])) {
            $answer = $sender->post((string) stream_get_contents(STDIN), $timestamp);
        } else {
            $type = is_string($opts['type'] ?? null) ? $opts['type'] : usage('send needs --type (or --body-stdin)');
            $id = is_string($opts['id'] ?? null) && preg_match('/^\d+$/', $opts['id']) ? (int) $opts['id'] : usage('send needs --id, a positive integer');
            $event = str_starts_with((string) $type, 'customer.')
                ? Event::customer((string) $type, (int) $id, is_string($opts['email'] ?? null) ? $opts['email'] : null)
                : Event::order((string) $type, (int) $id, is_string($opts['number'] ?? null) ? $opts['number'] : null);
            $answer = $sender->send($event, $timestamp);
        }
        echo json_encode(['status' => $answer['status'], 'body' => $answer['body']]), "\n";
        exit($answer['status'] >= 200 && $answer['status'] < 300 ? 0 : 1);
    }
    usage("unknown command '$command' (sign or send)");
} catch (\InvalidArgumentException $e) {
    usage($e->getMessage());
} catch (\RuntimeException $e) {
    fwrite(STDERR, $e->getMessage() . "\n");
    exit(1);
}

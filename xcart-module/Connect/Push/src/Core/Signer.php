<?php

/**
 * Connect push module for X-Cart 5.5.
 */

declare(strict_types=1);

namespace Connect\Push\Core;

/**
 * Signs a push exactly as flowd verifies it (runtime/http/push.ts, verifyPush):
 *
 *   X-Connect-Timestamp: <unix seconds>
 *   X-Connect-Signature: sha256=<lowercase hex HMAC-SHA256 of "<timestamp>.<raw body bytes>">
 *
 * The MAC covers the body byte for byte as it is sent: there is no canonical form to agree on, so the
 * body must be sent exactly as signed. flowd refuses a timestamp outside its window
 * (triggers.push.tolerance, default 300 s) either side of its clock.
 *
 * No X-Cart class is used here, so bin/connect-push.php and the tests run it with plain php-cli.
 */
final class Signer
{
    public const HEADER_TIMESTAMP = 'X-Connect-Timestamp';
    public const HEADER_SIGNATURE = 'X-Connect-Signature';

    private string $secret;

    public function __construct(string $secret)
    {
        if ($secret === '') {
            throw new \InvalidArgumentException('Connect push: the push secret is empty (module settings: Push secret)');
        }
        $this->secret = $secret;
    }

    /** The X-Connect-Signature value for a body sent at $timestamp (unix seconds). */
    public function signature(int $timestamp, string $body): string
    {
        if ($timestamp < 0) {
            throw new \InvalidArgumentException('Connect push: the timestamp must be unix seconds (not negative)');
        }

        return 'sha256=' . hash_hmac('sha256', $timestamp . '.' . $body, $this->secret);
    }

    /**
     * Both headers for a body, timestamped now (or at $timestamp).
     *
     * @return array<string, string>
     */
    public function headers(string $body, ?int $timestamp = null): array
    {
        $ts = $timestamp ?? time();

        return [
            self::HEADER_TIMESTAMP => (string) $ts,
            self::HEADER_SIGNATURE => $this->signature($ts, $body),
        ];
    }
}

<?php

/**
 * Connect push module for X-Cart 5.5.
 */

declare(strict_types=1);

namespace Connect\Push\Core;

/**
 * Signs an event and POSTs it to flowd. Plain PHP (curl when the extension is loaded, else PHP's
 * HTTP stream wrapper), no X-Cart class, so bin/connect-push.php and the tests run it with php-cli.
 *
 * flowd answers 202 (accepted, or a duplicate it already has), 400 (a malformed event, kept in its
 * dead-letter queue), 401 (bad or stale signature: check the secret and the store's clock), 503 with
 * Retry-After (busy, or its store is unavailable: send again later).
 */
final class Sender
{
    private string $url;

    private Signer $signer;

    private int $timeoutSeconds;

    public function __construct(string $url, Signer $signer, int $timeoutSeconds = 10)
    {
        if (!preg_match('~^https?://~i', $url)) {
            throw new \InvalidArgumentException('Connect push: the flowd push URL must start with http:// or https:// (module settings: flowd push URL)');
        }
        $this->url = $url;
        $this->signer = $signer;
        $this->timeoutSeconds = max(1, $timeoutSeconds);
    }

    /**
     * Sends one event. Never throws for an HTTP answer; throws \RuntimeException when flowd cannot be
     * reached at all.
     *
     * @return array{status: int, body: string, retry_after: ?int}
     */
    public function send(Event $event, ?int $timestamp = null): array
    {
        return $this->post($event->body(), $timestamp);
    }

    /**
     * POSTs a body as it is, signed.
     *
     * @return array{status: int, body: string, retry_after: ?int}
     */
    public function post(string $body, ?int $timestamp = null): array
    {
        $headers = ['Content-Type' => 'application/json'] + $this->signer->headers($body, $timestamp);

        return function_exists('curl_init') ? $this->viaCurl($body, $headers) : $this->viaStream($body, $headers);
    }

    /**
     * @param array<string, string> $headers
     *
     * @return array{status: int, body: string, retry_after: ?int}
     */
    private function viaCurl(string $body, array $headers): array
    {
        $retryAfter = null;
        $ch = curl_init($this->url);
        curl_setopt_array($ch, [
            CURLOPT_POST           => true,
            CURLOPT_POSTFIELDS     => $body,
            CURLOPT_HTTPHEADER     => array_map(static fn ($k, $v) => "$k: $v", array_keys($headers), $headers),
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT        => $this->timeoutSeconds,
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$retryAfter): int {
                if (preg_match('/^Retry-After:\s*(\d+)/i', $line, $m)) {
                    $retryAfter = (int) $m[1];
                }

                return strlen($line);
            },
        ]);
        $answer = curl_exec($ch);
        if ($answer === false) {
            $error = curl_error($ch);
            curl_close($ch);
            throw new \RuntimeException(sprintf('Connect push: flowd at %s is not reachable: %s', $this->url, $error));
        }
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);

        return ['status' => $status, 'body' => (string) $answer, 'retry_after' => $retryAfter];
    }

    /**
     * @param array<string, string> $headers
     *
     * @return array{status: int, body: string, retry_after: ?int}
     */
    private function viaStream(string $body, array $headers): array
    {
        $context = stream_context_create(['http' => [
            'method'        => 'POST',
            'header'        => implode("\r\n", array_map(static fn ($k, $v) => "$k: $v", array_keys($headers), $headers)),
            'content'       => $body,
            'timeout'       => $this->timeoutSeconds,
            'ignore_errors' => true, // read 4xx/5xx answers instead of failing
        ]]);
        $answer = @file_get_contents($this->url, false, $context);
        $lines = $http_response_header ?? [];
        if ($answer === false || !$lines) {
            $error = error_get_last()['message'] ?? 'no answer';
            throw new \RuntimeException(sprintf('Connect push: flowd at %s is not reachable: %s', $this->url, $error));
        }
        $status = preg_match('~^HTTP/\S+\s+(\d{3})~', $lines[0], $m) ? (int) $m[1] : 0;
        $retryAfter = null;
        foreach ($lines as $line) {
            if (preg_match('/^Retry-After:\s*(\d+)/i', $line, $m)) {
                $retryAfter = (int) $m[1];
            }
        }

        return ['status' => $status, 'body' => (string) $answer, 'retry_after' => $retryAfter];
    }
}

<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\Core;

use XLite\Core\Config;
use XLite\Core\Database;

/**
 * Pushes order and customer events to flowd once Doctrine has flushed the change (so flowd, reading
 * the order back through the API, sees it), through the entity manager's after-flush callbacks as
 * XLite\Model\Order::checkStatuses() registers its history entries (classes/XLite/Model/Order.php).
 *
 * A push that fails is logged (XLite\Logger::getLogger('connect-push'), classes/XLite/Logger.php:88) and not retried here: order events
 * are also found by flowd's poll of /api/orders (triggers.xcart_poll), which dedupes with the push;
 * customer events are push only (flowd's events.yaml), so a failed one is re-sent with
 * bin/connect-push.php (see xcart-module/README.md).
 */
class Pusher
{
    private static ?self $instance = null;

    /** Events queued in this request, by type and id: one push each. @var array<string, Event> */
    private array $queued = [];

    public static function getInstance(): self
    {
        return self::$instance ??= new self();
    }

    public function orderEvent(string $type, int $orderId, ?string $orderNumber): void
    {
        if ($this->setting('push_orders') && $orderNumber !== null && $orderNumber !== '') { // carts have no number
            $this->queue(Event::order($type, $orderId, $orderNumber));
        }
    }

    public function customerEvent(string $type, int $profileId, ?string $email): void
    {
        if ($this->setting('push_customers')) {
            $this->queue(Event::customer($type, $profileId, $email));
        }
    }

    private function queue(Event $event): void
    {
        $key = $event->type . '#' . $event->id;
        $first = !$this->queued;
        $this->queued[$key] = $event;
        if ($first) {
            Database::getEM()->addAfterFlushCallback(function (): void {
                $this->flush();
            });
        }
    }

    /** Sends what this request queued. Never throws: a shop action must not fail because flowd is down. */
    public function flush(): void
    {
        $events = $this->queued;
        $this->queued = [];
        $url = (string) $this->setting('flowd_url');
        $secret = (string) $this->setting('push_secret');
        if (!$events || $url === '' || $secret === '') {
            return;
        }
        try {
            $sender = new Sender($url, new Signer($secret), (int) ($this->setting('timeout') ?: 10));
        } catch (\InvalidArgumentException $e) {
            $this->log($e->getMessage());

            return;
        }
        foreach ($events as $event) {
            try {
                $answer = $sender->send($event);
                if ($answer['status'] !== 202 && $answer['status'] !== 200) {
                    // Never the secret or the signature: only what was sent and what flowd said.
                    $this->log(sprintf('flowd answered %d to %s %d: %s', $answer['status'], $event->type, $event->id, substr($answer['body'], 0, 500)));
                }
            } catch (\RuntimeException $e) {
                $this->log(sprintf('%s %d not pushed: %s', $event->type, $event->id, $e->getMessage()));
            }
        }
    }

    /** @return mixed */
    private function setting(string $name)
    {
        return Config::getInstance()->Connect->Push->{$name} ?? null;
    }

    private function log(string $message): void
    {
        \XLite\Logger::getLogger('connect-push')->warning($message);
    }
}

<?php

/**
 * Connect push module for X-Cart 5.5.
 */

declare(strict_types=1);

namespace Connect\Push\Core;

/**
 * One pushed event, in the body flowd's POST /hooks/xcart parses (runtime/http/push.ts, parsePushBody):
 *
 *   {"type": "order.created", "id": 42, "occurred_at": "2026-12-02T10:00:00Z", "data": {...}}
 *
 * order.paid has the body of the other order events (data: order_id, order_number); flowd keys it by
 * the order id alone (events.yaml dedupe: once), so a repeated order.paid of an order is a duplicate.
 *
 * `type` is one of the xcart-push events of flowd's mappings/schemas/xcart/events.yaml; `id` is the
 * order id (order.*) or the profile id (customer.*) as a JSON integer; `data` carries ids only
 * (order: order_id, order_number; customer: profile_id, email): flowd reads the entity itself.
 */
final class Event
{
    /** The event types flowd accepts from a push (events.yaml, triggers: xcart-push). */
    public const TYPES = ['order.created', 'order.updated', 'order.paid', 'customer.created', 'customer.updated'];

    public string $type;

    public int $id;

    public string $occurredAt;

    /** @var array<string, mixed> */
    public array $data;

    /**
     * @param array<string, mixed> $data
     */
    public function __construct(string $type, int $id, array $data, ?int $occurredAt = null)
    {
        if (!in_array($type, self::TYPES, true)) {
            throw new \InvalidArgumentException(sprintf("Connect push: unknown event type '%s' (expected %s)", $type, implode(', ', self::TYPES)));
        }
        if ($id <= 0) {
            throw new \InvalidArgumentException(sprintf('Connect push: %s needs a positive id, not %d', $type, $id));
        }
        $this->type = $type;
        $this->id = $id;
        $this->occurredAt = gmdate('Y-m-d\TH:i:s\Z', $occurredAt ?? time());
        $this->data = $data;
    }

    public static function order(string $type, int $orderId, ?string $orderNumber, ?int $at = null): self
    {
        return new self($type, $orderId, ['order_id' => $orderId, 'order_number' => $orderNumber], $at);
    }

    public static function customer(string $type, int $profileId, ?string $email, ?int $at = null): self
    {
        return new self($type, $profileId, ['profile_id' => $profileId, 'email' => $email], $at);
    }

    /** The body to sign and send (UTF-8 JSON; flowd refuses a body that is not UTF-8). */
    public function body(): string
    {
        $json = json_encode(
            ['type' => $this->type, 'id' => $this->id, 'occurred_at' => $this->occurredAt, 'data' => (object) $this->data],
            JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE | JSON_THROW_ON_ERROR
        );

        return $json;
    }
}

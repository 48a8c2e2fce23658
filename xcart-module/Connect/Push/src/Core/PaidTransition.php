<?php

/**
 * Connect push module for X-Cart 5.5.
 */

declare(strict_types=1);

namespace Connect\Push\Core;

/**
 * When an order's payment status has become P, paid in full (order.paid, flowd's
 * mappings/schemas/xcart/events.yaml): the rule the hooks of Model/Order.php apply, in plain PHP so
 * the tests run it with php-cli.
 *
 * Only P (XLite\Model\Order\Status\Payment::STATUS_PAID, classes/XLite/Model/Order/Status/Payment.php:52),
 * as flowd's poll (runtime/triggers/routing.ts PAID_CODES): not A (authorised, no money yet) or PP
 * (partly paid), although X-Cart's getPaidStatuses() counts them; an order authorised or awaiting
 * payment (Q) first makes the event when it is paid in full.
 */
final class PaidTransition
{
    public const PAID = 'P';

    /**
     * A status change (X-Cart's checkStatuses() sees one when both statuses are set and differ) to P
     * from another status. P to P is no change; a first status (no old one) is the placement's, which
     * placedPaid() covers.
     */
    public static function becamePaid(?string $oldCode, ?string $newCode): bool
    {
        return $newCode === self::PAID && $oldCode !== null && $oldCode !== '' && $oldCode !== self::PAID;
    }

    /** An order placed (processSucceed()) already paid: its payment status became P with the placement. */
    public static function placedPaid(?string $code): bool
    {
        return $code === self::PAID;
    }
}

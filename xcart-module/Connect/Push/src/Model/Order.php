<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\Model;

use Connect\Push\Core\PaidTransition;
use Connect\Push\Core\Pusher;
use XCart\Extender\Mapping\Extender;

/**
 * Order events for flowd, decorating the order as modules/XC/AvaTax/src/Model/Order.php does
 * (@Extender\Mixin, parent:: first):
 * - order.created when the customer places it: processSucceed() (classes/XLite/Model/Order.php:1608,
 *   "Called when an order successfully placed by a client");
 * - order.updated when its payment or shipping status changes: checkStatuses(), the @PostPersist /
 *   @PostUpdate callback that compares each status with its old value (Order.php:3255), from the
 *   admin UI, the API (PUT /api/orders/{id}/payment_status) or a payment callback alike.
 * - order.paid when its payment status becomes P (Core/PaidTransition.php), once per transition to P:
 *   - a change to P, seen by checkStatuses() as above: every payment status change goes through
 *     setPaymentStatus() → processStatus() (Order.php:3189, 3214), which keeps the old status
 *     beside the new one; the admin UI, PUT /api/orders/{id}/payment_status
 *     (classes/XLite/API/Endpoint/OrderPaymentStatus/Transformer/InputTransformer.php:44), a payment
 *     callback (setPaymentStatusByTransaction(), Order.php:4137, from
 *     classes/XLite/Controller/Customer/Callback.php:83) and renewPaymentStatus() (Order.php:4071);
 *   - an order placed paid: checkout sets P and then calls processSucceed()
 *     (classes/XLite/Controller/Customer/Checkout.php:434, Cart::tryClose(), classes/XLite/Model/Cart.php:319),
 *     where checkStatuses() may see no change (a cart's first status has no old one, and a cart
 *     without an order number is not pushed).
 *   Both in one request are one push (Pusher queues one event per type and id); flowd runs its
 *   order.paid flows once per order anyway (dedupe: once), so P, then R, then P again is pushed twice
 *   and run once.
 * The pushes go out after the flush (Core/Pusher.php).
 *
 * @Extender\Mixin
 */
class Order extends \XLite\Model\Order
{
    public function processSucceed()
    {
        parent::processSucceed();

        $pusher = Pusher::getInstance();
        $pusher->orderEvent('order.created', (int) $this->getOrderId(), $this->getOrderNumber());
        if (PaidTransition::placedPaid($this->getPaymentStatusCode())) {
            $pusher->orderEvent('order.paid', (int) $this->getOrderId(), $this->getOrderNumber());
        }
    }

    public function checkStatuses()
    {
        // Read before parent:: resets statusIsSet and the old statuses (the same test as parent's).
        $changed = false;
        $becamePaid = false;
        if ($this->statusIsSet) {
            foreach (['payment', 'shipping'] as $type) {
                $status = $this->{$type . 'Status'};
                $old = $this->{'old' . ucfirst($type) . 'Status'};
                if ($status && $old && $status->getId() !== $old->getId()) {
                    $changed = true;
                    if ($type === 'payment' && PaidTransition::becamePaid($old->getCode(), $status->getCode())) {
                        $becamePaid = true;
                    }
                }
            }
        }

        $result = parent::checkStatuses();

        if (!($this instanceof \XLite\Model\Cart && !$this->getOrderNumber())) {
            $pusher = Pusher::getInstance();
            if ($changed) {
                $pusher->orderEvent('order.updated', (int) $this->getOrderId(), $this->getOrderNumber());
            }
            if ($becamePaid) {
                $pusher->orderEvent('order.paid', (int) $this->getOrderId(), $this->getOrderNumber());
            }
        }

        return $result;
    }
}

<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\Model;

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
 * The pushes go out after the flush (Core/Pusher.php).
 *
 * @Extender\Mixin
 */
class Order extends \XLite\Model\Order
{
    public function processSucceed()
    {
        parent::processSucceed();

        Pusher::getInstance()->orderEvent('order.created', (int) $this->getOrderId(), $this->getOrderNumber());
    }

    public function checkStatuses()
    {
        // Read before parent:: resets statusIsSet and the old statuses.
        $changed = false;
        if ($this->statusIsSet) {
            foreach (['payment', 'shipping'] as $type) {
                $status = $this->{$type . 'Status'};
                $old = $this->{'old' . ucfirst($type) . 'Status'};
                if ($status && $old && $status->getId() !== $old->getId()) {
                    $changed = true;
                }
            }
        }

        $result = parent::checkStatuses();

        if ($changed && !($this instanceof \XLite\Model\Cart && !$this->getOrderNumber())) {
            Pusher::getInstance()->orderEvent('order.updated', (int) $this->getOrderId(), $this->getOrderNumber());
        }

        return $result;
    }
}

<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\Model;

use Connect\Push\Core\Pusher;
use XCart\Extender\Mapping\Extender;

/**
 * Customer events for flowd: customer.created when a store account is created, customer.updated when
 * it is saved again (XLite\Model\Profile::create() and update(), classes/XLite/Model/Profile.php:702,
 * 716). Anonymous profiles (guest checkout, Profile::getAnonymous()) and administrators are not store
 * accounts and are not pushed. Decorated as modules/XC/AvaTax/src/Model/Order.php decorates the order.
 *
 * @Extender\Mixin
 */
class Profile extends \XLite\Model\Profile
{
    public function create()
    {
        $result = parent::create();
        if ($result) {
            $this->pushConnectEvent('customer.created');
        }

        return $result;
    }

    public function update($cloneMode = false)
    {
        $result = parent::update($cloneMode);
        if ($result && !$cloneMode) {
            $this->pushConnectEvent('customer.updated');
        }

        return $result;
    }

    protected function pushConnectEvent(string $type): void
    {
        if ($this->getAnonymous() || $this->isAdmin() || $this->getOrder() || !$this->getProfileId()) {
            return; // guests, staff, and the copy of a profile an order keeps
        }
        Pusher::getInstance()->customerEvent($type, (int) $this->getProfileId(), $this->getLogin());
    }
}

<?php

/**
 * Runs the Connect module's real order hooks (xcart-module/Connect/Push/src/Model/Order.php) and pusher
 * on the X-Cart stand-in (stand-in.php) through one order's story, the status changes in the order
 * X-Cart 5.5.0.29 makes them; the pushes go to flowd at CONNECT_FLOWD_URL, signed with CONNECT_PUSH_SECRET.
 *
 *   php scenario.php <scenario> <order id>
 *
 * Each "request" loads the order as Doctrine would (statuses, no old ones), changes it, and flushes.
 */

declare(strict_types=1);

namespace {
    $module = dirname(__DIR__, 3) . '/xcart-module/Connect/Push/src';
    require_once __DIR__ . '/stand-in.php';
    foreach (['Core/Signer.php', 'Core/Event.php', 'Core/Sender.php', 'Core/PaidTransition.php', 'Core/Pusher.php', 'Model/Order.php'] as $f) {
        require_once "$module/$f";
    }
}

namespace XLite\Model {
    /** Cart extends the order as X-Cart's Extender decorates it (classes/XLite/Model/Cart.php). */
    class Cart extends \Connect\Push\Model\Order
    {
    }
}

namespace {
    use Connect\Push\Model\Order;
    use XLite\Core\Database;
    use XLite\Model\Cart;

    [, $scenario, $id] = $argv + [null, '', '0'];
    $id = (int) $id;

    /** One request: $change runs on the order as loaded, then the flush (and the pushes after it). */
    function request(callable $load, callable $change): void
    {
        Database::getEM()->managed = [];
        $order = $load();
        $change($order);
        Database::getEM()->flush();
    }

    $placed = static fn (string $payment, string $shipping = 'N') => static fn () => Order::load($id, (string) (100000 + $id), $payment, $shipping);

    switch ($scenario) {
        case 'checkout-paid':
            // Checkout::doActionCheckout(): Q before the payment step (Checkout.php:322), the gateway
            // pays at once, P and processSucceed() (Checkout.php:434), one flush at the end.
            request(static fn () => Cart::load($id, null, null, null), static function (Cart $cart): void {
                $cart->setPaymentStatus('Q');
                $cart->setPaymentStatus('P');
                $cart->processSucceed();
            });
            break;
        case 'paid-before-number':
            // The payment step flushes the paid cart before it has an order number (Checkout::doPayment()
            // saves the transaction): checkStatuses() sees Q to P on a cart, which is not pushed; then
            // processSucceed() places the order, paid.
            request(static fn () => Cart::load($id, null, null, null), static function (Cart $cart): void {
                $cart->setPaymentStatus('Q');
                $cart->setPaymentStatus('P');
                Database::getEM()->flush();
                $cart->processSucceed();
            });
            break;
        case 'checkout-queued-then-callback':
            // Placed awaiting payment (Checkout.php:442), then the gateway's callback captures it
            // (Callback.php:83, setPaymentStatusByTransaction() → P).
            request(static fn () => Cart::load($id, null, null, null), static function (Cart $cart): void {
                $cart->setPaymentStatus('Q');
                $cart->processSucceed();
            });
            request($placed('Q'), static fn (Order $o) => $o->setPaymentStatus('P'));
            break;
        case 'authorised-captured':
            // An authorisation (A), captured later in the admin: P.
            request($placed('A'), static fn (Order $o) => $o->setPaymentStatus('P'));
            break;
        case 'partly-then-paid':
            // A first part (PP: not paid in full, no order.paid), then the rest (P).
            request($placed('Q'), static fn (Order $o) => $o->setPaymentStatus('PP'));
            request($placed('PP'), static fn (Order $o) => $o->setPaymentStatus('P'));
            break;
        case 'paid-then-shipped':
            // Paid orders change again: shipped, the payment status saved as it was (P to P is no change).
            request($placed('P'), static fn (Order $o) => $o->setShippingStatus('S'));
            request($placed('P', 'S'), static fn (Order $o) => $o->setPaymentStatus('P'));
            break;
        case 'refunded-repaid':
            // Paid, refunded (R), paid again: two transitions to P, two pushes.
            request($placed('Q'), static fn (Order $o) => $o->setPaymentStatus('P'));
            request($placed('P'), static fn (Order $o) => $o->setPaymentStatus('R'));
            request($placed('R'), static fn (Order $o) => $o->setPaymentStatus('P'));
            break;
        default:
            fwrite(STDERR, "scenario.php: unknown scenario '$scenario'\n");
            exit(2);
    }
}

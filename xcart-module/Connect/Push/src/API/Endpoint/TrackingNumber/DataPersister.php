<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\API\Endpoint\TrackingNumber;

use ApiPlatform\Core\DataPersister\ContextAwareDataPersisterInterface;
use ApiPlatform\Core\Exception\InvalidArgumentException;
use Connect\Push\API\Resource\TrackingNumber;
use Doctrine\ORM\EntityManagerInterface;
use Symfony\Component\HttpFoundation\RequestStack;
use XLite\Core\OrderHistory;
use XLite\Model\Order;
use XLite\Model\OrderTrackingNumber;

/**
 * Adds the tracking number to the order, as the admin UI's tracking numbers list and
 * modules/ShipStation/Api/src/Controller/Customer/Api.php:130-135 do (an OrderTrackingNumber row with
 * the order; the same number is not added twice), and records it in the order history
 * (XLite\Core\OrderHistory::registerEvent, as modules/XC/AvaTax/src/Model/Order.php). A missing order
 * is 400 `Order with ID n not found`, as the core's status sub-resources answer
 * (classes/XLite/API/Endpoint/OrderShippingStatus/Transformer/InputTransformer.php).
 */
class DataPersister implements ContextAwareDataPersisterInterface
{
    private EntityManagerInterface $entityManager;

    private RequestStack $requestStack;

    public function __construct(EntityManagerInterface $entityManager, RequestStack $requestStack)
    {
        $this->entityManager = $entityManager;
        $this->requestStack = $requestStack;
    }

    public function supports($data, array $context = []): bool
    {
        return $data instanceof TrackingNumber;
    }

    /**
     * @param TrackingNumber $data
     */
    public function persist($data, array $context = []): OrderTrackingNumber
    {
        $orderId = $this->orderId($context);
        /** @var Order|null $order */
        $order = $orderId ? $this->entityManager->getRepository(Order::class)->find($orderId) : null;
        if (!$order || !$order->getOrderNumber()) {
            throw new InvalidArgumentException(sprintf('Order with ID %d not found', $orderId));
        }
        $value = trim($data->value);
        foreach ($order->getTrackingNumbers() as $existing) {
            if ($existing->getValue() === $value) {
                return $existing;
            }
        }

        $tracking = new OrderTrackingNumber();
        $tracking->setValue($value);
        $tracking->setOrder($order);
        $order->addTrackingNumbers($tracking);
        $this->entityManager->persist($tracking);
        $this->entityManager->flush();

        OrderHistory::getInstance()->registerEvent(
            $order->getOrderId(),
            'CONNECT_TRACKING_NUMBER',
            'Tracking number {{value}} added by Connect',
            ['value' => $value]
        );

        return $tracking;
    }

    public function remove($data, array $context = []): void
    {
    }

    /** The {order_id} of the path (a route attribute; else read from the URI, as the core's status input transformers do). */
    private function orderId(array $context): int
    {
        $request = $this->requestStack->getCurrentRequest();
        $id = $request ? $request->attributes->get('order_id') : null;
        if ($id === null && preg_match('~/connect/orders/(\d+)/tracking_numbers~', (string) ($context['request_uri'] ?? ($request ? $request->getPathInfo() : '')), $m)) {
            $id = $m[1];
        }

        return (int) $id;
    }
}

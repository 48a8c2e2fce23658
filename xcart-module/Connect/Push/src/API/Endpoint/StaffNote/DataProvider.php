<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\API\Endpoint\StaffNote;

use ApiPlatform\Core\DataProvider\ItemDataProviderInterface;
use ApiPlatform\Core\DataProvider\RestrictedDataProviderInterface;
use ApiPlatform\Core\Exception\InvalidArgumentException;
use Connect\Push\API\Resource\StaffNote;
use Doctrine\ORM\EntityManagerInterface;
use XLite\Model\Order;

/**
 * The staff note of an order, for GET and before a PUT (API Platform loads the item first). A missing
 * order is 400 `Order with ID n not found`, as classes/XLite/API/Endpoint/OrderShippingStatus/
 * DataProvider/ItemDataProvider.php answers.
 */
class DataProvider implements ItemDataProviderInterface, RestrictedDataProviderInterface
{
    private EntityManagerInterface $entityManager;

    public function __construct(EntityManagerInterface $entityManager)
    {
        $this->entityManager = $entityManager;
    }

    public function supports(string $resourceClass, string $operationName = null, array $context = []): bool
    {
        return $resourceClass === StaffNote::class;
    }

    public function getItem(string $resourceClass, $id, string $operationName = null, array $context = []): StaffNote
    {
        $orderId = (int) (is_array($id) ? ($id['id'] ?? 0) : $id);
        /** @var Order|null $order */
        $order = $this->entityManager->getRepository(Order::class)->find($orderId);
        if (!$order || !$order->getOrderNumber()) {
            throw new InvalidArgumentException(sprintf('Order with ID %d not found', $orderId));
        }
        $note = new StaffNote();
        $note->order_id = (int) $order->getOrderId();
        $note->admin_notes = (string) $order->getAdminNotes();

        return $note;
    }
}

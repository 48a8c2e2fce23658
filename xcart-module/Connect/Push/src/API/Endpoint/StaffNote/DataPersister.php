<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\API\Endpoint\StaffNote;

use ApiPlatform\Core\DataPersister\ContextAwareDataPersisterInterface;
use ApiPlatform\Core\Exception\InvalidArgumentException;
use Connect\Push\API\Resource\StaffNote;
use Doctrine\ORM\EntityManagerInterface;
use XLite\Core\OrderHistory;
use XLite\Model\Order;

/**
 * Appends `append` to the order's staff note unless a line of the note already equals it, then records
 * the change as the admin UI does (XLite\Core\OrderHistory::registerOrderChangeAdminNotes,
 * classes/XLite/Core/OrderHistory.php:385). Setting the note changes the order row, so the order's
 * lastRenewDate is renewed (Order::prepareBeforeSave).
 */
class DataPersister implements ContextAwareDataPersisterInterface
{
    private EntityManagerInterface $entityManager;

    public function __construct(EntityManagerInterface $entityManager)
    {
        $this->entityManager = $entityManager;
    }

    public function supports($data, array $context = []): bool
    {
        return $data instanceof StaffNote;
    }

    /**
     * @param StaffNote $data
     */
    public function persist($data, array $context = []): StaffNote
    {
        /** @var Order|null $order */
        $order = $this->entityManager->getRepository(Order::class)->find($data->order_id);
        if (!$order) {
            throw new InvalidArgumentException(sprintf('Order with ID %d not found', $data->order_id));
        }
        $line = trim($data->append);
        $note = (string) $order->getAdminNotes();
        $lines = array_map('trim', preg_split('/\r?\n/', $note) ?: []);
        if ($line !== '' && !in_array($line, $lines, true)) {
            $new = $note === '' ? $line : $note . "\n" . $line;
            $order->setAdminNotes($new);
            $this->entityManager->flush();
            OrderHistory::getInstance()->registerOrderChangeAdminNotes($order->getOrderId(), ['old' => $note, 'new' => $new]);
        }
        $data->admin_notes = (string) $order->getAdminNotes();
        $data->append = '';

        return $data;
    }

    public function remove($data, array $context = []): void
    {
    }
}

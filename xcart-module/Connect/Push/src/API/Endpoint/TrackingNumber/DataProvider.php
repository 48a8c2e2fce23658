<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\API\Endpoint\TrackingNumber;

use ApiPlatform\Core\DataProvider\ItemDataProviderInterface;
use ApiPlatform\Core\DataProvider\RestrictedDataProviderInterface;
use Connect\Push\API\Resource\TrackingNumber;
use Doctrine\ORM\EntityManagerInterface;
use XLite\Model\OrderTrackingNumber;

/**
 * GET /api/connect/tracking_numbers/{id}: the item route API Platform needs for the resource; answers
 * the core model, which the core's TrackingNumber OutputTransformer turns into OrderTrackingNumberOutput
 * (classes/XLite/API/Endpoint/Order/Transformer/TrackingNumber/OutputTransformer.php).
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
        return $resourceClass === TrackingNumber::class;
    }

    public function getItem(string $resourceClass, $id, string $operationName = null, array $context = [])
    {
        $key = is_array($id) ? ($id['id'] ?? null) : $id;

        return $this->entityManager->getRepository(OrderTrackingNumber::class)->find((int) $key);
    }
}

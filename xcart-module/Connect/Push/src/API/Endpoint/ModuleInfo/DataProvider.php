<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\API\Endpoint\ModuleInfo;

use ApiPlatform\Core\DataProvider\ItemDataProviderInterface;
use ApiPlatform\Core\DataProvider\RestrictedDataProviderInterface;
use Connect\Push\API\Resource\ModuleInfo;

/**
 * Answers GET /api/connect/module (the resource has no stored state).
 */
class DataProvider implements ItemDataProviderInterface, RestrictedDataProviderInterface
{
    public function supports(string $resourceClass, string $operationName = null, array $context = []): bool
    {
        return $resourceClass === ModuleInfo::class;
    }

    public function getItem(string $resourceClass, $id, string $operationName = null, array $context = []): ModuleInfo
    {
        return new ModuleInfo();
    }
}

<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\API\Resource;

use ApiPlatform\Core\Annotation as ApiPlatform;

/**
 * GET /api/connect/module: tells flowd the store has this module (connections.xcart.module: auto).
 * A resource that is not a Doctrine entity, declared as modules/XC/CustomProductTabs/src/API/Resource/
 * CustomProductTab.php declares its own; read with the store's read-only or read/write API token.
 *
 * @ApiPlatform\ApiResource(
 *     shortName="Connect Module",
 *     itemOperations={
 *         "get"={
 *             "method"="GET",
 *             "path"="/connect/module.{_format}",
 *             "identifiers"={},
 *         }
 *     },
 *     collectionOperations={}
 * )
 */
class ModuleInfo
{
    /**
     * @ApiPlatform\ApiProperty(identifier=true)
     */
    public string $module = 'Connect-Push';

    public string $version = \Connect\Push\Main::VERSION;

    /** @var string[] */
    public array $endpoints = ['tracking_numbers', 'staff_note'];
}

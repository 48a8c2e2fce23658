<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\API\Resource;

use ApiPlatform\Core\Annotation as ApiPlatform;
use Symfony\Component\Validator\Constraints as Assert;

/**
 * GET / PUT /api/connect/orders/{id}/staff_note: the order's staff note (Order::$adminNotes, which the
 * 5.5.0.29 API only outputs, as admin_notes: classes/XLite/API/Endpoint/Order/DTO/BaseOutput.php:114).
 * PUT {"append": "line"} adds the line unless the note already holds it, as the admin UI's staff note
 * field would (templates/web/admin/order/page/parts/staff_note.twig), with an order history entry.
 * Declared like the core's shipping status sub-resource (classes/XLite/Model/Order/Status/Shipping.php).
 *
 * @ApiPlatform\ApiResource(
 *     shortName="Connect Staff Note",
 *     itemOperations={
 *         "get"={
 *             "method"="GET",
 *             "path"="/connect/orders/{id}/staff_note.{_format}",
 *             "identifiers"={"id"},
 *             "requirements"={"id"="\d+"}
 *         },
 *         "put"={
 *             "method"="PUT",
 *             "path"="/connect/orders/{id}/staff_note.{_format}",
 *             "identifiers"={"id"},
 *             "requirements"={"id"="\d+"}
 *         }
 *     },
 *     collectionOperations={}
 * )
 */
class StaffNote
{
    /**
     * @ApiPlatform\ApiProperty(identifier=true)
     */
    public int $order_id = 0;

    public string $admin_notes = '';

    /**
     * @Assert\NotBlank()
     * @Assert\Length(min=1, max=1000)
     */
    public string $append = '';
}

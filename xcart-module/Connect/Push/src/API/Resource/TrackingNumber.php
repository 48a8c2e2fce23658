<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push\API\Resource;

use ApiPlatform\Core\Annotation as ApiPlatform;
use Symfony\Component\Validator\Constraints as Assert;
use XLite\API\Endpoint\Order\DTO\TrackingNumber\OrderTrackingNumberOutput;

/**
 * POST /api/connect/orders/{order_id}/tracking_numbers {"value": "1Z..."}: adds a tracking number to
 * the order (X-Cart 5.5.0.29's API has none: its order tracking numbers are output only,
 * classes/XLite/API/Endpoint/Order/DTO/BaseOutput.php:134). The answer is the number as GET
 * /api/orders/{id} lists it (core OrderTrackingNumberOutput {id, date, value}, made by the core's
 * TrackingNumber OutputTransformer). A number the order already has is not added again. Needs the
 * read/write API token, as every API write.
 *
 * @ApiPlatform\ApiResource(
 *     shortName="Connect Tracking Number",
 *     output=OrderTrackingNumberOutput::class,
 *     itemOperations={
 *         "get"={
 *             "method"="GET",
 *             "path"="/connect/tracking_numbers/{id}.{_format}",
 *             "identifiers"={"id"},
 *             "requirements"={"id"="\d+"}
 *         }
 *     },
 *     collectionOperations={
 *         "post"={
 *             "method"="POST",
 *             "path"="/connect/orders/{order_id}/tracking_numbers.{_format}",
 *             "requirements"={"order_id"="\d+"}
 *         }
 *     }
 * )
 */
class TrackingNumber
{
    /**
     * @ApiPlatform\ApiProperty(identifier=true)
     */
    public ?int $id = null;

    /**
     * @Assert\NotBlank()
     * @Assert\Length(min=1, max=255)
     * @ApiPlatform\ApiProperty(attributes={"openapi_context"={"example"="1Z999AA10123456784"}})
     */
    public string $value = '';
}

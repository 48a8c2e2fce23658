<?php

/**
 * Connect push module for X-Cart 5.5.
 */

declare(strict_types=1);

namespace Connect\Push;

use Symfony\Component\HttpKernel\Bundle\Bundle;

/**
 * The module's Symfony bundle (as modules/XC/CustomProductTabs/src/CustomProductTabsBundle.php).
 */
final class PushBundle extends Bundle
{
}

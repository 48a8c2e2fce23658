<?php

/**
 * Connect push module for X-Cart 5.5.
 */

namespace Connect\Push;

/**
 * Module main class (as modules/XC/CustomProductTabs/src/Main.php).
 */
abstract class Main extends \XLite\Module\AModule
{
    public const MODULE_ID = 'Connect-Push';

    /** Reported by GET /api/connect/module; flowd probes it (connections.xcart.module: auto). */
    public const VERSION = '5.5.0.0';
}

<?php

/**
 * The least of X-Cart 5.5.0.29 that the Connect module's order hooks (xcart-module/Connect/Push/src/Model/Order.php)
 * and pusher (src/Core/Pusher.php) run on, for php-cli: no X-Cart store runs here, so this stands in for
 * it. What decides the hooks is X-Cart's own code, copied (the line each comes from is cited):
 * Order::processStatus() and the status comparison of Order::checkStatuses(). Left out are the
 * parts that touch nothing the module reads: order history, status handlers, inventory, mail.
 *
 * Settings (XLite\Core\Config, module category Connect\Push) come from the environment:
 * CONNECT_FLOWD_URL and CONNECT_PUSH_SECRET. XLite\Model\Cart is declared by scenario.php, after the
 * module's decoration, since X-Cart's Extender makes the decorated Order the one Cart extends.
 */

declare(strict_types=1);

namespace XLite {
    /** classes/XLite/Logger.php:88 getLogger(): a PSR logger; here, lines on stderr. */
    class Logger
    {
        public static function getLogger(string $name): object
        {
            return new class ($name) {
                public function __construct(private string $name)
                {
                }

                public function warning(string $message): void
                {
                    fwrite(STDERR, "[{$this->name}] $message\n");
                }
            };
        }
    }
}

namespace XLite\Core {
    class Config
    {
        private static ?object $instance = null;

        public static function getInstance(): object
        {
            return self::$instance ??= (object) ['Connect' => (object) ['Push' => (object) [
                'flowd_url'      => (string) getenv('CONNECT_FLOWD_URL'),
                'push_secret'    => (string) getenv('CONNECT_PUSH_SECRET'),
                'timeout'        => 5,
                'push_orders'    => true,
                'push_customers' => true,
            ]]];
        }
    }

    /**
     * The entity manager as classes/XLite/Core/Doctrine/ORM/EntityManager.php:83-102 runs after-flush
     * callbacks (in order, a callback may add more); flush() also calls each order's
     * checkStatuses(), which Doctrine calls as the order's @PostUpdate (classes/XLite/Model/Order.php:3252).
     */
    class EntityManager
    {
        /** @var callable[] */
        private array $afterFlushCallbacks = [];

        /** @var \XLite\Model\Order[] */
        public array $managed = [];

        public function addAfterFlushCallback(callable $func): void
        {
            $this->afterFlushCallbacks[] = $func;
        }

        public function flush(): void
        {
            foreach ($this->managed as $order) {
                $order->checkStatuses();
            }
            while (count($this->afterFlushCallbacks) > 0) {
                $callback = array_shift($this->afterFlushCallbacks);
                $callback();
            }
        }
    }

    /** The status rows of classes/XLite/Model/Order/Status/Payment.php:50-56 and Shipping.php. */
    class StatusRepo
    {
        /** @var array<string, object> */
        private array $byCode = [];

        public function __construct(string $class, array $codes)
        {
            foreach ($codes as $i => $code) {
                $this->byCode[$code] = new $class($i + 1, $code);
            }
        }

        public function findOneByCode(string $code): ?object
        {
            return $this->byCode[$code] ?? null;
        }

        public function find($id): ?object
        {
            foreach ($this->byCode as $s) {
                if ($s->getId() === (int) $id) {
                    return $s;
                }
            }

            return null;
        }
    }

    class Database
    {
        private static ?EntityManager $em = null;

        /** @var array<string, StatusRepo> */
        private static array $repos = [];

        public static function getEM(): EntityManager
        {
            return self::$em ??= new EntityManager();
        }

        public static function getRepo(string $class): StatusRepo
        {
            $codes = str_ends_with($class, 'Payment') ? ['A', 'PP', 'P', 'D', 'C', 'Q', 'R'] : ['N', 'P', 'S', 'D', 'WND', 'R', 'C'];

            return self::$repos[$class] ??= new StatusRepo($class, $codes);
        }
    }
}

namespace XLite\Model\Order\Status {
    abstract class AStatus
    {
        public function __construct(private int $id, private string $code)
        {
        }

        public function getId(): int
        {
            return $this->id;
        }

        public function getCode(): string
        {
            return $this->code;
        }
    }

    class Payment extends AStatus
    {
        public const STATUS_PAID = 'P';
    }

    class Shipping extends AStatus
    {
    }
}

namespace XLite\Model {
    use XLite\Core\Database;

    class Order
    {
        protected $order_id;
        protected $orderNumber;
        protected $paymentStatus;
        protected $shippingStatus;
        protected $oldPaymentStatus;
        protected $oldShippingStatus;
        protected $statusIsSet = false;

        /** An order as Doctrine loads it: its statuses set, no old ones (they are not stored). */
        public static function load(int $id, ?string $number, ?string $payment, ?string $shipping): static
        {
            $o = new static();
            $o->order_id = $id;
            $o->orderNumber = $number;
            $o->paymentStatus = $payment === null ? null : Database::getRepo('XLite\Model\Order\Status\Payment')->findOneByCode($payment);
            $o->shippingStatus = $shipping === null ? null : Database::getRepo('XLite\Model\Order\Status\Shipping')->findOneByCode($shipping);
            Database::getEM()->managed[] = $o;

            return $o;
        }

        public function getOrderId()
        {
            return $this->order_id;
        }

        public function getOrderNumber()
        {
            return $this->orderNumber;
        }

        /** classes/XLite/Model/Order.php:3163 */
        public function getPaymentStatusCode()
        {
            return $this->paymentStatus && $this->paymentStatus->getCode() ? $this->paymentStatus->getCode() : '';
        }

        /** processSucceed() (Order.php:1608) starts with markAsOrder(); a Cart gets its number at checkout (Cart::assignOrderNumber()). */
        public function processSucceed()
        {
            if (!$this->orderNumber) {
                $this->orderNumber = (string) (100000 + $this->order_id);
            }
        }

        /** Order.php:3189 */
        public function setPaymentStatus($paymentStatus = null)
        {
            $this->processStatus($paymentStatus, 'payment');
        }

        /** Order.php:3201 */
        public function setShippingStatus($shippingStatus = null)
        {
            $this->processStatus($shippingStatus, 'shipping');
        }

        /** Order.php:3214-3243, as it is (the scalar lookup and the old status kept beside the new). */
        public function processStatus($status, $type)
        {
            static $cache = [];

            if (is_scalar($status)) {
                if (!isset($cache[$type][$status])) {
                    $requestedStatus = $status;

                    if (is_int($status) || (is_string($status) && preg_match('/^[\d]+$/', $status))) {
                        $status = Database::getRepo('XLite\Model\Order\Status\\' . ucfirst($type))->find($status);
                    } elseif (is_string($status)) {
                        $status = Database::getRepo('XLite\Model\Order\Status\\' . ucfirst($type))->findOneByCode($status);
                    }

                    $cache[$type][$requestedStatus] = $status;
                } else {
                    $status = $cache[$type][$status];
                }
            }

            $this->statusIsSet = true;

            $this->{'old' . ucfirst($type) . 'Status'} = $this->{$type . 'Status'};
            $this->{$type . 'Status'} = $status;
        }

        /**
         * Order.php:3255-3330: the comparison and the resets as they are; the history entry, status
         * handlers, inventory and mail it schedules are left out.
         */
        public function checkStatuses()
        {
            $changed = false;
            $em = Database::getEM();

            if ($this->statusIsSet) {
                $this->statusIsSet = false;

                foreach (['payment', 'shipping'] as $type) {
                    $status = $this->{$type . 'Status'};
                    $oldStatus = $this->{'old' . ucfirst($type) . 'Status'};
                    if ($status && $oldStatus && $status->getId() !== $oldStatus->getId()) {
                        $changed = true;
                    } elseif (!$oldStatus) {
                        $this->{'old' . ucfirst($type) . 'Status'} = $this->{$type . 'Status'};
                    }
                }

                $em->addAfterFlushCallback(function () {
                    foreach (['payment', 'shipping'] as $type) {
                        $this->{'old' . ucfirst($type) . 'Status'} = null;
                    }
                });
            }

            return $changed;
        }
    }
}

export { XcartConnector, XCART_DISPATCH, advanceWatermark, orderVersionKey, xcartDate } from './connector.js';
export type { XcartConnectorConfig, OrderWatermark, UnreadableOrder, XcartOrder, XcartProduct, XcartProfile } from './connector.js';
export { XcartClient, TokenBucket, parseRetryAfter } from './client.js';
export type { XcartClientConfig, Query, RequestOptions } from './client.js';
export { loadXcartCatalog, checkArgs } from './catalog.js';
export type { CatalogOperation, CatalogParam, OperationCatalog } from './catalog.js';
export { loadXcartSchemas, XCART_SCHEMA_DIR } from './schemas.js';
export type { XcartSchemas } from './schemas.js';

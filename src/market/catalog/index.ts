// The CS2 item catalog: built from the cs2-lib data set, loaded into the
// items table, searched by name.
export {
  buildCatalog,
  buildCatalogFromDataSet,
  CatalogDataError,
  type CatalogEntry,
  EXTERIORS,
  type Exterior,
  exteriorsFor,
  ITEM_CATEGORIES,
  type ItemCategory,
} from './build-catalog.js';
export {
  getItem,
  getItems,
  InvalidCursorError,
  type Item,
  type ItemSearch,
  type ItemsPage,
  type ItemTables,
  SEARCH_LIMIT_MAX,
  searchItems,
} from './items.js';
export {
  type CatalogSyncOptions,
  type CatalogSyncProgress,
  type CatalogSyncReport,
  catalogLoaded,
  syncCatalog,
} from './sync-catalog.js';

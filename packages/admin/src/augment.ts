declare module '@tessera/core' {
  interface RouteParams {
    /** The admin's home: every registered entity the user may see, and the latest changes. */
    'admin:index': Record<string, never>;
    /** An entity's change list (search, filters, ordering, pages); POST runs a bulk action. */
    'admin:change-list': { app: string; entity: string };
    /** The page adding an object. */
    'admin:add': { app: string; entity: string };
    /** One object's page: its form (or its fields, read-only), its actions and its history. */
    'admin:change': { app: string; entity: string; id: string | number };
    /** Confirms deleting one object. */
    'admin:delete': { app: string; entity: string; id: string | number };
  }
}

export {};

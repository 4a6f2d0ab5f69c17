declare module 'vitest' {
  export interface ProvidedContext {
    /** The PostgreSQL server (no database name) each test file makes its own database on. */
    tesseraServerUrl: string;
  }
}

export {};

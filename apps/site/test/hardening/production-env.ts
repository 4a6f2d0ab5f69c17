// Imported first by production.test.ts: the site's production settings refuse to load without a
// SECRET_KEY and a SITE_URL, as they should.
process.env.SECRET_KEY ??= 'hardening-test-production-secret-key-0123456789';
process.env.SITE_URL ??= 'https://www.example.com';

export {};

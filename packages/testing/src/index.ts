/** @tessera/testing — the test kit every Tessera app's tests use. */
export { createTestSite, testServerUrl, TEST_MANAGERS, TEST_SECRET_KEY } from './site.ts';
export type { TestSite, TestSiteOptions } from './site.ts';
export { TestClient, formEncode } from './client.ts';
export type { RequestOptions } from './client.ts';
export { expectCountChange, recordHook } from './expect.ts';
export { factory, fakeHook, fakeInvalidations } from './fakes.ts';
export type { Factory, FactoryTarget, HookFake, InvalidationsFake } from './fakes.ts';
export { countQueries } from '@tessera/core';
export { startSmtpCapture } from './smtp.ts';
export type { CapturedMail, SmtpCapture } from './smtp.ts';

import { describe, expect, it } from 'vitest';
import { defineForm, fields } from '@tessera/core';
import { changedFields } from '../src/log.ts';

// The log names the fields a save changed as the form shows them, whatever the stored precision.
const form = defineForm({
  name: 'event',
  fields: {
    title: fields.text({ label: 'Title' }),
    startsAt: fields.datetime({ label: 'Starts at', required: false }),
    open: fields.checkbox({ label: 'Open' }),
    days: fields.multipleChoice({
      label: 'Days',
      choices: [
        ['mon', 'Monday'],
        ['tue', 'Tuesday'],
      ],
    }),
  },
});

const initial = {
  title: 'Launch',
  startsAt: new Date('2026-03-04T05:06:07.890Z'),
  open: false,
  days: ['mon'],
};

describe('changedFields', () => {
  it('does not name a date whose stored seconds the form does not show', () => {
    const data = { ...initial, startsAt: new Date('2026-03-04T05:06:00Z') };
    expect(changedFields(form, initial, data)).toEqual([]);
  });

  it('names a date moved by a minute, and every other field whose shown value differs', () => {
    const data = {
      title: 'Launch party',
      startsAt: new Date('2026-03-04T05:07:00Z'),
      open: true,
      days: ['mon', 'tue'],
    };
    expect(changedFields(form, initial, data)).toEqual(['title', 'startsAt', 'open', 'days']);
  });

  it('names a date that was emptied', () => {
    expect(changedFields(form, initial, { ...initial, startsAt: null })).toEqual(['startsAt']);
  });
});

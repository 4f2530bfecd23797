import type { ToolCallContext } from '@app/gemini-client';
import { ExampleClock } from './example-clock.service';
import type { ShopHours } from './opening-hours.data';
import { OpeningHoursRepository } from './opening-hours.repository';
import { OpeningHoursTool } from './opening-hours.tool';

class FixedClock extends ExampleClock {
  constructor(private readonly at: string) {
    super();
  }
  override now(): Date {
    return new Date(this.at);
  }
}

class FakeRepository extends OpeningHoursRepository {
  calls = 0;
  constructor(private readonly load: () => Promise<ShopHours>) {
    super();
  }
  override getShopHours(): Promise<ShopHours> {
    this.calls++;
    return this.load();
  }
}

const HOURS: ShopHours = {
  timeZone: 'Europe/London',
  weekly: {
    monday: { opens: '09:00', closes: '17:30' },
    tuesday: { opens: '09:00', closes: '17:30' },
    wednesday: { opens: '09:00', closes: '17:30' },
    thursday: { opens: '09:00', closes: '19:00' },
    friday: { opens: '09:00', closes: '17:30' },
    saturday: { opens: '10:00', closes: '16:00' },
    sunday: null,
  },
  specialDays: [
    { date: '2025-06-09', open: false, note: 'Closed for the bank holiday' },
    {
      date: '2025-06-10',
      open: true,
      opens: '12:00',
      closes: '16:00',
      note: 'Stocktake: opening late',
    },
  ],
};

// Wednesday 4 June 2025, 10:00 in London (BST, UTC+1).
const WEDNESDAY = '2025-06-04T09:00:00Z';

function context(signal = new AbortController().signal): ToolCallContext {
  return {
    callSid: `CA${'0'.repeat(32)}`,
    from: '+447700900001',
    to: '+447700900002',
    signal,
  };
}

function tool(at = WEDNESDAY, load = () => Promise.resolve(HOURS)) {
  const repository = new FakeRepository(load);
  return {
    repository,
    tool: new OpeningHoursTool(repository, new FixedClock(at)),
  };
}

describe('OpeningHoursTool.openingHours', () => {
  it('answers for a weekday with its regular hours (the next one on or after today)', async () => {
    await expect(
      tool().tool.openingHours({ day: 'friday' }, context()),
    ).resolves.toEqual({
      day: 'friday',
      date: '2025-06-06',
      open: true,
      opens: '09:00',
      closes: '17:30',
    });
  });

  it('answers closed with the note on a holiday', async () => {
    await expect(
      tool().tool.openingHours({ day: 'monday' }, context()),
    ).resolves.toEqual({
      day: 'monday',
      date: '2025-06-09',
      open: false,
      note: 'Closed for the bank holiday',
    });
  });

  it('gives special hours with their note', async () => {
    await expect(
      tool().tool.openingHours({ day: 'tuesday' }, context()),
    ).resolves.toEqual({
      day: 'tuesday',
      date: '2025-06-10',
      open: true,
      opens: '12:00',
      closes: '16:00',
      note: 'Stocktake: opening late',
    });
  });

  it('answers closed on a weekday with no hours', async () => {
    await expect(
      tool().tool.openingHours({ day: 'sunday' }, context()),
    ).resolves.toEqual({
      day: 'sunday',
      date: '2025-06-08',
      open: false,
    });
  });

  it('answers for today from the clock, and treats a missing day as today', async () => {
    const { tool: t } = tool();
    const expected = {
      day: 'wednesday',
      date: '2025-06-04',
      open: true,
      opens: '09:00',
      closes: '17:30',
    };
    await expect(t.openingHours({ day: 'today' }, context())).resolves.toEqual(
      expected,
    );
    await expect(t.openingHours({}, context())).resolves.toEqual(expected);
    // Naming today's weekday means today, not a week later.
    await expect(
      t.openingHours({ day: 'Wednesday ' }, context()),
    ).resolves.toEqual(expected);
  });

  it("works out today in the shop's time zone, not UTC", async () => {
    // 23:30 UTC on Saturday 7 June is 00:30 on Sunday in London.
    await expect(
      tool('2025-06-07T23:30:00Z').tool.openingHours(
        { day: 'today' },
        context(),
      ),
    ).resolves.toEqual({ day: 'sunday', date: '2025-06-08', open: false });
  });

  it('rejects a day it does not know', async () => {
    await expect(
      tool().tool.openingHours({ day: 'someday' }, context()),
    ).rejects.toThrow('weekday name or "today"');
  });

  it('rejects without reading the data when the call is already aborted', async () => {
    const { tool: t, repository } = tool();
    const controller = new AbortController();
    controller.abort();
    await expect(
      t.openingHours({ day: 'today' }, context(controller.signal)),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(repository.calls).toBe(0);
  });

  it('rejects as soon as the call is aborted while the data is loading', async () => {
    const { tool: t } = tool(
      WEDNESDAY,
      () => new Promise<ShopHours>(() => undefined),
    );
    const answer = t.openingHours(
      { day: 'today' },
      context(AbortSignal.timeout(20)),
    );
    await expect(answer).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('answers from the bundled data file by default', async () => {
    const t = new OpeningHoursTool(
      new OpeningHoursRepository(),
      new FixedClock('2025-12-25T12:00:00Z'),
    );
    await expect(t.openingHours({ day: 'today' }, context())).resolves.toEqual({
      day: 'thursday',
      date: '2025-12-25',
      open: false,
      note: 'Closed for Christmas Day',
    });
  });
});

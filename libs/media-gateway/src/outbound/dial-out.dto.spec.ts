import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DialOutDto } from './dial-out.dto';

function problems(body: Record<string, unknown>): string[] {
  return validateSync(plainToInstance(DialOutDto, body), {
    whitelist: true,
    forbidNonWhitelisted: true,
  }).flatMap((error) => Object.values(error.constraints ?? {}));
}

describe('DialOutDto (POST /calls)', () => {
  it.each([
    [{ to: '+14155550100' }],
    [{ to: '+442071838750', profile: 'sales', from: '+15005550006' }],
    [{ to: 'sip:alice@pbx.example.com' }],
    [{ to: 'sip:desk@10.0.0.5:5060;transport=tls' }],
    [{ to: 'sips:bob@example.org' }],
  ])('accepts %j', (body) => {
    expect(problems(body)).toEqual([]);
  });

  it.each([
    [{ to: '4155550100' }, /^to must be an E\.164 number/],
    [{ to: '+0155550100' }, /^to must be an E\.164 number/],
    [{ to: '+1415555010012345' }, /^to must be an E\.164 number/],
    [{ to: 'sip:nobody' }, /^to must be an E\.164 number/],
    [{ to: 'tel:+14155550100' }, /^to must be an E\.164 number/],
    [{}, /^to must be/],
    [
      { to: '+14155550100', from: 'sip:me@pbx.test' },
      /^from must be an E\.164 number/,
    ],
    [
      { to: '+14155550100', profile: '' },
      /^profile must be longer than or equal to 1/,
    ],
    [
      { to: '+14155550100', profile: 'x'.repeat(65) },
      /^profile must be shorter/,
    ],
    [{ to: '+14155550100', record: true }, /^property record should not exist/],
  ])('refuses %j with a reason', (body, reason) => {
    expect(problems(body).join('; ')).toMatch(reason);
  });
});

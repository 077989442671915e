import fc from 'fast-check';
import {
  compatible,
  creditorReference,
  debtorIdentifiers,
  emailIdentifier,
  identifierText,
  legalIdentifier,
  phoneIdentifier,
  resolveDebtor,
  type DebtorIdentifier,
  type KnownDebtor,
} from '../../domain/debtor/identity';

const siren = (value: string): DebtorIdentifier => ({ kind: 'siren', value });
const email = (value: string): DebtorIdentifier => ({ kind: 'email', value });
const phone = (value: string): DebtorIdentifier => ({ kind: 'phone', value });
const ref = (creditor: string, id: string): DebtorIdentifier => ({ kind: 'creditor_ref', value: `${creditor}:${id}` });
const debtor = (key: string, since: string, ...identifiers: DebtorIdentifier[]): KnownDebtor => ({
  key,
  since,
  identifiers,
});

describe('registry numbers', () => {
  test.each([
    ['552100554', '552100554'],
    ['552 100 554', '552100554'],
    ['552.100.554', '552100554'],
    // A SIRET names an establishment: its first nine digits are the legal person.
    ['55210055400013', '552100554'],
    ['552 100 554 00013', '552100554'],
    ['73282932000074', '732829320'],
    // French VAT: FR, a key, the SIREN.
    ['FR12552100554', '552100554'],
    ['fr 12 552 100 554', '552100554'],
    // La Poste's establishments pass INSEE's digit-sum rule, not Luhn's.
    ['35600000049837', '356000000'],
  ])('%s is the SIREN %s', (written, expected) => {
    expect(legalIdentifier(written)).toEqual({ kind: 'siren', value: expected });
  });

  test.each([
    // A wrong checksum is not a SIREN: kept as the number written, which matches only itself.
    ['552100555', '552100555'],
    ['55210055400014', '55210055400014'],
    ['35600000000048', '35600000000048'],
    ['FR12552100555', 'FR12552100555'],
    ['DE 123-456-789', 'DE123456789'],
    ['HRB 12345/B', 'HRB12345B'],
  ])('%s is another registry number, %s', (written, expected) => {
    expect(legalIdentifier(written)).toEqual({ kind: 'legal_id', value: expected });
  });

  test('an empty number is none', () => {
    expect(legalIdentifier('  - ')).toBeNull();
  });
});

describe('contact points and customer ids', () => {
  test('an e-mail address is trimmed and lower-cased, nothing more', () => {
    expect(emailIdentifier('  Compta@ACME.fr ')).toEqual(email('compta@acme.fr'));
    // Dots and tags may be another mailbox at another provider: not folded.
    expect(emailIdentifier('jean.dupont+factures@example.fr')).toEqual(email('jean.dupont+factures@example.fr'));
    expect(emailIdentifier('jeandupont@example.fr')).not.toEqual(emailIdentifier('jean.dupont@example.fr'));
    expect(emailIdentifier('nobody')).toBeNull();
  });

  test('a phone number is E.164 without its spaces', () => {
    expect(phoneIdentifier('+33 6 12 34 56 78')).toEqual(phone('+33612345678'));
    expect(phoneIdentifier('+33 (0)6')).toBeNull();
    expect(phoneIdentifier('0612345678')).toBeNull();
  });

  test("a creditor's customer id is that creditor's only", () => {
    expect(creditorReference('acme', ' C-001 ')).toEqual(ref('acme', 'C-001'));
    expect(creditorReference('acme', 'C-001')).not.toEqual(creditorReference('globex', 'C-001'));
    expect(creditorReference('acme', '  ')).toBeNull();
  });

  test('a case brings its identifiers strongest first, each once; a name or an address is none', () => {
    const identifiers = debtorIdentifiers({
      creditorId: 'acme',
      id: 'C-001',
      legalId: '552 100 554 00013',
      email: 'Compta@Dupont.fr',
      phone: '+33612345678',
    });
    expect(identifiers.map(identifierText)).toEqual([
      'siren:552100554',
      'creditor_ref:acme:C-001',
      'email:compta@dupont.fr',
      'phone:+33612345678',
    ]);
    expect(debtorIdentifiers({ creditorId: 'acme' })).toEqual([]);
  });
});

describe('which identifiers may be one debtor', () => {
  test.each<[string, DebtorIdentifier[], DebtorIdentifier[], boolean]>([
    ['the same SIREN', [siren('552100554')], [siren('552100554'), email('a@x.fr')], true],
    // An accountant's address shared by two companies does not make them one.
    [
      'two SIRENs behind one e-mail',
      [siren('552100554'), email('cabinet@compta.fr')],
      [siren('732829320'), email('cabinet@compta.fr')],
      false,
    ],
    ['a SIREN and a foreign number', [siren('552100554')], [{ kind: 'legal_id', value: 'DE123456789' }], false],
    ['a SIREN and nothing registered', [siren('552100554'), email('a@x.fr')], [email('a@x.fr')], true],
    ['two ids of one creditor', [ref('acme', 'C-1'), email('a@x.fr')], [ref('acme', 'C-2'), email('a@x.fr')], false],
    ['ids of two creditors', [ref('acme', 'C-1'), email('a@x.fr')], [ref('globex', 'C-1'), email('a@x.fr')], true],
    // The SIREN outranks the creditor's records: two customer accounts of one company are one debtor.
    [
      'one SIREN, two ids of one creditor',
      [siren('552100554'), ref('acme', 'C-1')],
      [siren('552100554'), ref('acme', 'C-2')],
      true,
    ],
    ['contact points only', [email('a@x.fr')], [phone('+33612345678')], true],
  ])('%s: %s', (_name, a, b, expected) => {
    expect(compatible(a, b)).toBe(expected);
    expect(compatible(b, a)).toBe(expected);
  });
});

describe('which debtor a new case belongs to', () => {
  test('nobody shares an identifier: a new debtor', () => {
    expect(resolveDebtor([email('a@x.fr')], [])).toEqual({ kind: 'new' });
  });

  test('a shared contact point joins the debtor', () => {
    const known = [debtor('d-1', '2026-01-01T00:00:00Z', email('a@x.fr'))];
    expect(resolveDebtor([email('a@x.fr'), phone('+33612345678')], known)).toEqual({
      kind: 'join',
      key: 'd-1',
      absorbed: [],
    });
  });

  test('a debtor known only by other identifiers is not joined, even if passed in', () => {
    const known = [debtor('d-1', '2026-01-01T00:00:00Z', email('b@x.fr'))];
    expect(resolveDebtor([email('a@x.fr')], known)).toEqual({ kind: 'new' });
  });

  test('a case that links two debtors merges them into the oldest', () => {
    const byEmail = debtor('d-9', '2026-03-01T00:00:00Z', email('a@x.fr'));
    const byPhone = debtor('d-2', '2026-05-01T00:00:00Z', phone('+33612345678'));
    const bySiren = debtor('d-5', '2026-01-15T00:00:00Z', siren('552100554'));
    expect(
      resolveDebtor([siren('552100554'), email('a@x.fr'), phone('+33612345678')], [byEmail, byPhone, bySiren]),
    ).toEqual({ kind: 'join', key: 'd-5', absorbed: ['d-9', 'd-2'] });
  });

  test('first seen the same instant: the smaller key survives', () => {
    const at = '2026-01-01T00:00:00Z';
    const result = resolveDebtor(
      [email('a@x.fr'), phone('+33612345678')],
      [debtor('d-b', at, phone('+33612345678')), debtor('d-a', at, email('a@x.fr'))],
    );
    expect(result).toEqual({ kind: 'join', key: 'd-a', absorbed: ['d-b'] });
  });

  test('a case with its own SIREN is not joined to another company through a shared address', () => {
    const known = [debtor('d-1', '2026-01-01T00:00:00Z', siren('732829320'), email('cabinet@compta.fr'))];
    expect(resolveDebtor([siren('552100554'), email('cabinet@compta.fr')], known)).toEqual({ kind: 'new' });
  });

  test('a case that names neither of two companies behind one address is kept apart, for a manager', () => {
    const known = [
      debtor('d-2', '2026-02-01T00:00:00Z', siren('732829320'), email('cabinet@compta.fr')),
      debtor('d-1', '2026-01-01T00:00:00Z', siren('552100554'), email('cabinet@compta.fr')),
    ];
    expect(resolveDebtor([email('cabinet@compta.fr')], known)).toEqual({
      kind: 'ambiguous',
      sharedWith: ['d-1', 'd-2'],
    });
  });

  test("two of one creditor's customers behind one phone are kept apart", () => {
    const known = [
      debtor('d-1', '2026-01-01T00:00:00Z', ref('acme', 'C-1'), phone('+33612345678')),
      debtor('d-2', '2026-01-02T00:00:00Z', ref('acme', 'C-2'), phone('+33612345678')),
    ];
    expect(resolveDebtor([phone('+33612345678')], known).kind).toBe('ambiguous');
    // Naming one of them settles it: the other cannot be this debtor.
    expect(resolveDebtor([ref('acme', 'C-2'), phone('+33612345678')], known)).toEqual({
      kind: 'join',
      key: 'd-2',
      absorbed: [],
    });
  });
});

describe('properties', () => {
  const identifierArb: fc.Arbitrary<DebtorIdentifier> = fc.oneof(
    fc.constantFrom('552100554', '732829320', '356000000').map(siren),
    fc.constantFrom('DE123456789').map((value): DebtorIdentifier => ({ kind: 'legal_id', value })),
    fc.tuple(fc.constantFrom('acme', 'globex'), fc.constantFrom('C-1', 'C-2')).map(([c, id]) => ref(c, id)),
    fc.constantFrom('a@x.fr', 'b@x.fr', 'cabinet@compta.fr').map(email),
    fc.constantFrom('+33612345678', '+33698765432').map(phone),
  );
  const identifiersArb = fc.uniqueArray(identifierArb, { selector: identifierText, maxLength: 4 });
  const knownArb = fc
    .array(fc.tuple(identifiersArb, fc.integer({ min: 0, max: 5 })), { maxLength: 5 })
    .map((debtors) =>
      debtors.map(([identifiers, day], index) => debtor(`d-${index}`, `2026-01-0${day + 1}T00:00:00Z`, ...identifiers)),
    );

  test('compatibility is symmetric', () => {
    fc.assert(fc.property(identifiersArb, identifiersArb, (a, b) => compatible(a, b) === compatible(b, a)));
  });

  test('a joined or absorbed debtor never holds another registry number than the case', () => {
    fc.assert(
      fc.property(identifiersArb, knownArb, (identifiers, known) => {
        const result = resolveDebtor(identifiers, known);
        if (result.kind !== 'join') return;
        for (const key of [result.key, ...result.absorbed]) {
          const found = known.find((candidate) => candidate.key === key)!;
          expect(compatible(identifiers, found.identifiers)).toBe(true);
          for (const other of [result.key, ...result.absorbed])
            expect(compatible(found.identifiers, known.find((candidate) => candidate.key === other)!.identifiers)).toBe(
              true,
            );
        }
      }),
    );
  });

  test('the answer does not depend on the order the store found the debtors in', () => {
    fc.assert(
      fc.property(identifiersArb, knownArb, fc.integer(), (identifiers, known, seed) => {
        const shuffled = [...known].sort(
          (a, b) => ((a.key.charCodeAt(2) * seed) % 7) - ((b.key.charCodeAt(2) * seed) % 7),
        );
        expect(resolveDebtor(identifiers, shuffled)).toEqual(resolveDebtor(identifiers, known));
      }),
    );
  });
});

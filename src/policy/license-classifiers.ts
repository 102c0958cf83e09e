/**
 * License classifiers (PEP 301 Trove classifiers that begin with `License ::`) read as SPDX license identifiers,
 * following PEP 639's appendix "Mapping License Classifiers to SPDX Identifiers".
 *
 * The table holds every `License ::` classifier of trove-classifiers 2026.9.21.13 (test/policy checks that against
 * the wheel in /opt/pypi). A classifier either names one SPDX license, names a family without saying which member
 * (`BSD License`: 0BSD, BSD-2-Clause, BSD-3-Clause, BSD-4-Clause, …), says nothing about which license
 * (`OSI Approved`), or names a license that has no SPDX identifier.
 */

/** What one license classifier says. */
export type ClassifierMeaning =
  /** One SPDX license; `note` says what reading was chosen when the classifier is not literally one license. */
  | { kind: 'license'; id: string; note?: string }
  /** A family or an unversioned name: PEP 639 forbids inferring one license from it. */
  | { kind: 'ambiguous'; candidates: string }
  /** `OSI Approved`, `DFSG approved`: a property of the license, not a license. */
  | { kind: 'generic' }
  /** A license without an SPDX identifier. */
  | { kind: 'unlisted' };

const license = (id: string, note?: string): ClassifierMeaning =>
  note === undefined ? { kind: 'license', id } : { kind: 'license', id, note };
const ambiguous = (candidates: string): ClassifierMeaning => ({ kind: 'ambiguous', candidates });
const GENERIC: ClassifierMeaning = { kind: 'generic' };
const UNLISTED: ClassifierMeaning = { kind: 'unlisted' };

// PEP 639 lists the GNU classifiers that name a version without "or later" (AGPLv3, GPLv2, GPLv3, LGPLv3) as
// ambiguous between `-only` and `-or-later`. `-only` is the narrower reading (fewer choices for the user), so a
// verdict reached on it is never more lenient than the author meant; for v3 both readings decide alike, since no
// later version exists.
const versionOnly = (id: string): ClassifierMeaning =>
  license(id, `read as ${id}: the classifier does not say "or later", and ${id} is the narrower reading`);
// PEP 639 allows mapping these to LicenseRef-Proprietary, with a warning.
const proprietary = license('LicenseRef-Proprietary', 'read as LicenseRef-Proprietary, as PEP 639 allows');

const PREFIX = 'License :: ';
const OSI = 'License :: OSI Approved :: ';

export const LICENSE_CLASSIFIERS: ReadonlyMap<string, ClassifierMeaning> = new Map<string, ClassifierMeaning>([
  [`${PREFIX}Aladdin Free Public License (AFPL)`, license('Aladdin')],
  [`${PREFIX}CC0 1.0 Universal (CC0 1.0) Public Domain Dedication`, license('CC0-1.0')],
  [`${PREFIX}CeCILL-B Free Software License Agreement (CECILL-B)`, license('CECILL-B')],
  [`${PREFIX}CeCILL-C Free Software License Agreement (CECILL-C)`, license('CECILL-C')],
  [`${PREFIX}DFSG approved`, GENERIC],
  [`${PREFIX}Eiffel Forum License (EFL)`, ambiguous('EFL-1.0, EFL-2.0')],
  [`${PREFIX}Free For Educational Use`, proprietary],
  [`${PREFIX}Free For Home Use`, proprietary],
  [`${PREFIX}Free To Use But Restricted`, proprietary],
  [`${PREFIX}Free for non-commercial use`, proprietary],
  [`${PREFIX}Freely Distributable`, proprietary],
  [`${PREFIX}Freeware`, proprietary],
  [`${PREFIX}GUST Font License 1.0`, UNLISTED],
  [`${PREFIX}GUST Font License 2006-09-30`, UNLISTED],
  [`${PREFIX}Netscape Public License (NPL)`, ambiguous('NPL-1.0, NPL-1.1')],
  [`${PREFIX}Nokia Open Source License (NOKOS)`, license('Nokia')],
  [`${PREFIX}OSI Approved`, GENERIC],
  [`${OSI}Academic Free License (AFL)`, ambiguous('AFL-1.1, AFL-1.2, AFL-2.0, AFL-2.1, AFL-3.0')],
  [`${OSI}Apache Software License`, ambiguous('Apache-1.0, Apache-1.1, Apache-2.0')],
  [`${OSI}Apple Public Source License`, ambiguous('APSL-1.0, APSL-1.1, APSL-1.2, APSL-2.0')],
  [`${OSI}Artistic License`, ambiguous('Artistic-1.0, Artistic-1.0-Perl, Artistic-1.0-cl8, Artistic-2.0')],
  [`${OSI}Attribution Assurance License`, license('AAL')],
  [`${OSI}BSD License`, ambiguous('0BSD, BSD-1-Clause, BSD-2-Clause, BSD-3-Clause, BSD-4-Clause and variants')],
  [`${OSI}Blue Oak Model License (BlueOak-1.0.0)`, license('BlueOak-1.0.0')],
  [`${OSI}Boost Software License 1.0 (BSL-1.0)`, license('BSL-1.0')],
  [`${OSI}CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)`, license('CECILL-2.1')],
  [`${OSI}CMU License (MIT-CMU)`, license('MIT-CMU')],
  [`${OSI}Common Development and Distribution License 1.0 (CDDL-1.0)`, license('CDDL-1.0')],
  [`${OSI}Common Public License`, license('CPL-1.0')],
  [`${OSI}Eclipse Public License 1.0 (EPL-1.0)`, license('EPL-1.0')],
  [`${OSI}Eclipse Public License 2.0 (EPL-2.0)`, license('EPL-2.0')],
  [`${OSI}Educational Community License, Version 2.0 (ECL-2.0)`, license('ECL-2.0')],
  [`${OSI}Eiffel Forum License`, ambiguous('EFL-1.0, EFL-2.0')],
  [`${OSI}European Union Public Licence 1.0 (EUPL 1.0)`, license('EUPL-1.0')],
  [`${OSI}European Union Public Licence 1.1 (EUPL 1.1)`, license('EUPL-1.1')],
  [`${OSI}European Union Public Licence 1.2 (EUPL 1.2)`, license('EUPL-1.2')],
  [`${OSI}GNU Affero General Public License v3`, versionOnly('AGPL-3.0-only')],
  [`${OSI}GNU Affero General Public License v3 or later (AGPLv3+)`, license('AGPL-3.0-or-later')],
  [`${OSI}GNU Free Documentation License (FDL)`, ambiguous('GFDL-1.1, GFDL-1.2, GFDL-1.3, each -only or -or-later')],
  [`${OSI}GNU General Public License (GPL)`, ambiguous('GPL-1.0, GPL-2.0, GPL-3.0, each -only or -or-later')],
  [`${OSI}GNU General Public License v2 (GPLv2)`, versionOnly('GPL-2.0-only')],
  [`${OSI}GNU General Public License v2 or later (GPLv2+)`, license('GPL-2.0-or-later')],
  [`${OSI}GNU General Public License v3 (GPLv3)`, versionOnly('GPL-3.0-only')],
  [`${OSI}GNU General Public License v3 or later (GPLv3+)`, license('GPL-3.0-or-later')],
  [`${OSI}GNU Lesser General Public License v2 (LGPLv2)`, ambiguous('LGPL-2.0-only, LGPL-2.1-only')],
  // LGPLv2+ is ambiguous between 2.0-or-later and 2.1-or-later (PEP 639); the second offers a subset of the first's
  // choices, so it is the narrower reading.
  [
    `${OSI}GNU Lesser General Public License v2 or later (LGPLv2+)`,
    license('LGPL-2.1-or-later', 'read as LGPL-2.1-or-later: "LGPLv2+" may also mean LGPL-2.0-or-later, which offers more choices'),
  ],
  [`${OSI}GNU Lesser General Public License v3 (LGPLv3)`, versionOnly('LGPL-3.0-only')],
  [`${OSI}GNU Lesser General Public License v3 or later (LGPLv3+)`, license('LGPL-3.0-or-later')],
  [`${OSI}GNU Library or Lesser General Public License (LGPL)`, ambiguous('LGPL-2.0, LGPL-2.1, LGPL-3.0, each -only or -or-later')],
  [`${OSI}Historical Permission Notice and Disclaimer (HPND)`, license('HPND')],
  [`${OSI}IBM Public License`, license('IPL-1.0')],
  [`${OSI}ISC License (ISCL)`, license('ISC')],
  [`${OSI}Intel Open Source License`, license('Intel')],
  [`${OSI}Jabber Open Source License`, UNLISTED],
  [`${OSI}MIT License`, license('MIT')],
  [`${OSI}MIT No Attribution License (MIT-0)`, license('MIT-0')],
  [`${OSI}MITRE Collaborative Virtual Workspace License (CVW)`, UNLISTED],
  [`${OSI}MirOS License (MirOS)`, license('MirOS')],
  [`${OSI}Motosoto License`, license('Motosoto')],
  [`${OSI}Mozilla Public License 1.0 (MPL)`, license('MPL-1.0')],
  [`${OSI}Mozilla Public License 1.1 (MPL 1.1)`, license('MPL-1.1')],
  [`${OSI}Mozilla Public License 2.0 (MPL 2.0)`, license('MPL-2.0')],
  [`${OSI}Mulan Permissive Software License v2 (MulanPSL-2.0)`, license('MulanPSL-2.0')],
  [`${OSI}NASA Open Source Agreement v1.3 (NASA-1.3)`, license('NASA-1.3')],
  [`${OSI}Nethack General Public License`, license('NGPL')],
  [`${OSI}Nokia Open Source License`, license('Nokia')],
  [`${OSI}Open Group Test Suite License`, license('OGTSL')],
  [`${OSI}Open Software License 3.0 (OSL-3.0)`, license('OSL-3.0')],
  [`${OSI}PostgreSQL License`, license('PostgreSQL')],
  [`${OSI}Python License (CNRI Python License)`, license('CNRI-Python')],
  [`${OSI}Python Software Foundation License`, license('PSF-2.0')],
  [`${OSI}Qt Public License (QPL)`, license('QPL-1.0')],
  [`${OSI}Ricoh Source Code Public License`, license('RSCPL')],
  [`${OSI}SIL Open Font License 1.1 (OFL-1.1)`, license('OFL-1.1')],
  [`${OSI}Sleepycat License`, license('Sleepycat')],
  [`${OSI}Sun Industry Standards Source License (SISSL)`, license('SISSL')],
  [`${OSI}Sun Public License`, license('SPL-1.0')],
  [`${OSI}The Unlicense (Unlicense)`, license('Unlicense')],
  [`${OSI}Universal Permissive License (UPL)`, license('UPL-1.0')],
  [`${OSI}University of Illinois/NCSA Open Source License`, license('NCSA')],
  [`${OSI}Vovida Software License 1.0`, license('VSL-1.0')],
  [`${OSI}W3C License`, license('W3C')],
  [`${OSI}X.Net License`, license('Xnet')],
  [`${OSI}Zero-Clause BSD (0BSD)`, license('0BSD')],
  [`${OSI}Zope Public License`, ambiguous('ZPL-1.1, ZPL-2.0, ZPL-2.1')],
  [`${OSI}zlib/libpng License`, license('Zlib')],
  [`${PREFIX}Other/Proprietary License`, proprietary],
  // PEP 639 allows LicenseRef-Public-Domain; what "public domain" means depends on the jurisdiction, so a policy
  // names it explicitly to allow it.
  [`${PREFIX}Public Domain`, license('LicenseRef-Public-Domain', 'read as LicenseRef-Public-Domain, as PEP 639 allows')],
  [`${PREFIX}Repoze Public License`, UNLISTED],
]);

/** What the license classifiers of a project say together. */
export type ClassifierReading =
  /** No license classifier, or only generic ones. */
  | { kind: 'none'; notes: string[] }
  /** Every license classifier names one license; `expression` joins them with AND. */
  | { kind: 'expression'; expression: string; notes: string[] }
  /** At least one license classifier does not name one license: the classifiers decide nothing. */
  | { kind: 'undetermined'; notes: string[] };

export const isLicenseClassifier = (classifier: string): boolean => classifier.startsWith(PREFIX);

/**
 * Classifiers by the name of the license they end with, lower-cased, with and without a trailing abbreviation in
 * parentheses: `mit license`, `gnu general public license v3 (gplv3)`, `gnu general public license v3`. Authors often
 * copy that name into the License field.
 */
const BY_NAME: ReadonlyMap<string, ClassifierMeaning> = new Map(
  [...LICENSE_CLASSIFIERS]
    .filter(([, meaning]) => meaning.kind !== 'generic')
    .flatMap(([classifier, meaning]) => {
      const name = classifier.slice(classifier.lastIndexOf(' :: ') + 4).toLowerCase();
      const bare = name.replace(/\s*\([^)]*\)$/, '');
      return bare === name ? [[name, meaning] as const] : [[name, meaning] as const, [bare, meaning] as const];
    }),
);

/** What a license classifier's name (`MIT License`, `BSD License`) means, when `name` is one. */
export const classifierNamed = (name: string): ClassifierMeaning | undefined => BY_NAME.get(name.trim().toLowerCase());

/**
 * Reads the license classifiers among `classifiers`.
 *
 * A generic classifier is dropped when another license classifier is present (PEP 639 allows ignoring a parent
 * classifier). Several licenses are joined with AND: PEP 639 says their relation is unknown (dual licensing or
 * parts under different licenses; both occur on PyPI), and AND is the reading that offers the fewest choices, so
 * an allowed verdict holds under either reading and a denied license is never chosen around.
 */
export function readLicenseClassifiers(classifiers: readonly string[]): ClassifierReading {
  const present = [...new Set(classifiers.map((c) => c.trim()).filter(isLicenseClassifier))];
  if (present.length === 0) return { kind: 'none', notes: [] };
  const notes: string[] = [];
  const ids: string[] = [];
  const generic: string[] = [];
  let determined = true;
  for (const classifier of present) {
    const meaning = LICENSE_CLASSIFIERS.get(classifier);
    if (meaning === undefined) {
      notes.push(`"${classifier}" is not a known license classifier`);
      determined = false;
    } else if (meaning.kind === 'license') {
      if (!ids.includes(meaning.id)) ids.push(meaning.id);
      if (meaning.note !== undefined) notes.push(`"${classifier}" ${meaning.note}`);
    } else if (meaning.kind === 'ambiguous') {
      notes.push(`"${classifier}" does not say which license it means (${meaning.candidates})`);
      determined = false;
    } else if (meaning.kind === 'unlisted') {
      notes.push(`"${classifier}" has no SPDX identifier`);
      determined = false;
    } else {
      generic.push(classifier);
    }
  }
  for (const classifier of generic) notes.push(`"${classifier}" names no license`);
  if (generic.length === present.length) return { kind: 'none', notes };
  if (!determined || ids.length === 0) return { kind: 'undetermined', notes };
  if (ids.length > 1) {
    notes.push(
      `the classifiers name ${ids.length} licenses without saying whether all apply or one may be chosen; read as all applying`,
    );
  }
  return { kind: 'expression', expression: ids.join(' AND '), notes };
}

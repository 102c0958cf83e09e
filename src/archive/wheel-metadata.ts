/**
 * A wheel's METADATA file alone, read without going through the whole archive: the central directory's names
 * pick the `.dist-info` directory (pep/wheel-layout.ts), and only that one entry is inflated, within a size limit.
 * For serving PEP 658 metadata of a cached wheel whose index did not offer it.
 */
import yauzl from 'yauzl';
import { locateDistInfo, type ExpectedDistribution } from '../pep/wheel-layout.js';

/** No honest METADATA is near this; a long description makes some hundreds of KB. */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => (err ? reject(err) : resolve(zip))));
}

/** The METADATA bytes of the wheel at `path`, or null when its layout has no single matching `.dist-info`. */
export async function readWheelMetadata(path: string, expected: ExpectedDistribution): Promise<Buffer | null> {
  const zip = await openZip(path);
  try {
    const entries = new Map<string, yauzl.Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entries.size < 1_000_000) entries.set(entry.fileName, entry);
        zip.readEntry();
      });
      zip.on('end', resolve);
      zip.on('error', reject);
      zip.readEntry();
    });
    const location = locateDistInfo(entries.keys(), expected);
    if (location.problem || location.dir === undefined) return null;
    const entry = entries.get(`${location.dir}/METADATA`);
    if (!entry || entry.uncompressedSize > MAX_METADATA_BYTES) return null;
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
    );
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > MAX_METADATA_BYTES) return null;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  } finally {
    zip.close();
  }
}

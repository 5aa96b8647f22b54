// This browser's pairings, in IndexedDB (browser only). One record per paired device — several
// per browser (different applications or users) — keyed by the gateway's device id. The private
// key is stored as the non-extractable CryptoKey itself: IndexedDB structured-clones it, so it
// survives restarts without ever existing as bytes this code could read.

export interface Pairing {
  deviceId: string;
  applicationId: string;
  applicationName: string;
  userId: string;
  /** The signature audience the gateway named at pairing (core pushSignatureAudience). */
  audience: string;
  deviceName: string;
  privateKey: CryptoKey;
  publicKeyJwk: JsonWebKey;
  pairedAt: number;
}

const databaseName = 'holdfast-push';
const storeName = 'pairings';

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(databaseName, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(storeName, { keyPath: 'deviceId' });
    };
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error('IndexedDB could not be opened'));
    };
  });
}

async function withStore<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const database = await openDatabase();
  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = database.transaction(storeName, mode);
      const request = run(transaction.objectStore(storeName));
      // Resolve when the transaction commits, not when the request succeeds: a pairing is kept only once it is on disk.
      transaction.oncomplete = () => {
        resolve(request.result);
      };
      transaction.onerror = () => {
        reject(transaction.error ?? new Error('IndexedDB transaction failed'));
      };
      transaction.onabort = () => {
        reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
      };
    });
  } finally {
    database.close();
  }
}

export async function listPairings(): Promise<Pairing[]> {
  const records = await withStore<unknown[]>('readonly', (store) => store.getAll());
  return (records as Pairing[]).sort((a, b) => a.pairedAt - b.pairedAt);
}

export async function savePairing(pairing: Pairing): Promise<void> {
  await withStore('readwrite', (store) => store.put(pairing));
}

export async function removePairing(deviceId: string): Promise<void> {
  await withStore('readwrite', (store) => store.delete(deviceId));
}

// Nothing one render leaves may be visible to a later one. Every render page of an origin shares
// that origin's cookies and storage, and a warm browser (the local worker's, a warm Lambda's)
// serves many users one after another. So every render page, before any scene code runs, empties
// all the origin-wide state a scene can write. Page-scoped state (globals, timers, the DOM) dies
// with the page; pop-ups are refused (guards.ts).

const clearCookies = (): void => {
	// A scene can only have set cookies from script (the page's server sets none), so script can
	// see and expire all of them: at every path prefix of this page and at every parent domain.
	const names = document.cookie
		.split(';')
		.map((pair) => pair.split('=')[0].trim())
		.filter(Boolean);
	const segments = location.pathname.split('/');
	const paths = segments.map((_, i) => segments.slice(0, i + 1).join('/') || '/');
	const labels = location.hostname.split('.');
	const domains = ['', ...labels.map((_, i) => `; domain=${labels.slice(i).join('.')}`)];
	for (const name of names) {
		for (const path of new Set(paths)) {
			for (const domain of domains) {
				document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=${path}${domain}`;
			}
		}
	}
};

const deleteDatabase = (name: string): Promise<void> =>
	new Promise((resolve, reject) => {
		const request = indexedDB.deleteDatabase(name);
		request.onsuccess = () => resolve();
		request.onerror = () => reject(request.error);
		// Blocked: an open connection in another page (a render still running) holds it; the
		// deletion completes when that closes, and nothing can open the database meanwhile.
		request.onblocked = () => resolve();
	});

const clearIndexedDb = async (): Promise<void> => {
	if (typeof indexedDB === 'undefined') return;
	const databases = await indexedDB.databases();
	await Promise.all(databases.map(({name}) => (name ? deleteDatabase(name) : undefined)));
};

const clearCaches = async (): Promise<void> => {
	if (typeof caches === 'undefined') return; // CacheStorage exists only in secure contexts
	await Promise.all((await caches.keys()).map((key) => caches.delete(key)));
};

const unregisterServiceWorkers = async (): Promise<void> => {
	// worker-src 'none' refuses registrations; this removes any made before the policy existed.
	const container = navigator.serviceWorker;
	if (!container) return;
	await Promise.all((await container.getRegistrations()).map((registration) => registration.unregister()));
};

// A connection that stays open blocks every deletion of its database, and every later open
// waits behind that deletion. Pages of one render share their origin: a tab that loads after its
// sibling's scene opened a database would start its clearing, and its own scene's open would
// wait for a connection that only the render's end closes (the render stalls). So every
// connection a scene opens gives way, as the IndexedDB spec asks of a page: it closes when another
// page deletes or upgrades its database (`versionchange`). Our listener is added when the request
// is made, before the scene can see the connection, so it runs before any listener of the scene;
// the methods it calls are taken now, before a scene could replace them.
export const yieldDatabaseConnections = (): void => {
	if (typeof IDBFactory === 'undefined') return;
	const open = IDBFactory.prototype.open;
	const close = IDBDatabase.prototype.close;
	const listen = EventTarget.prototype.addEventListener;
	const resultOf = Object.getOwnPropertyDescriptor(IDBRequest.prototype, 'result')!.get!;
	// On upgradeneeded and again on success: a second close of a closed connection does nothing.
	const giveWay = function (this: IDBOpenDBRequest) {
		const db = resultOf.call(this) as IDBDatabase;
		listen.call(db, 'versionchange', () => close.call(db));
	};
	Object.defineProperty(IDBFactory.prototype, 'open', {
		configurable: false,
		writable: false,
		value: function (this: IDBFactory, name: string, version?: number) {
			const request = version === undefined ? open.call(this, name) : open.call(this, name, version);
			listen.call(request, 'upgradeneeded', giveWay);
			listen.call(request, 'success', giveWay);
			return request;
		},
	});
};

export const clearOriginState = async (): Promise<void> => {
	clearCookies();
	localStorage.clear();
	sessionStorage.clear();
	window.name = '';
	await Promise.all([clearIndexedDb(), clearCaches(), unregisterServiceWorkers()]);
};

import {report} from '../report';

// What a scene could do to leave the page or to open another one. The Content-Security-Policy
// (policy.ts) decides what a document may load; it cannot stop a document from navigating itself
// or from opening a pop-up, and a pop-up or a navigated page no longer carries our policy. So
// these are refused here, before any scene code runs:
//   - window.open: returns null (a pop-up would outlive its render in a reused browser);
//   - navigations of this page (location, links, meta refresh, history): cancelled through the
//     Navigation API's `navigate` event;
//   - nested browsing contexts (iframe, frame, object, embed): a same-origin about:blank frame is
//     a fresh realm with an untouched window.open, so none may be created or inserted;
//   - document.open/write: would replace the page and its guards.
// These run in the scene's own realm, so they are a second wall; docs/security.md says what
// holds if a scene found a way past them.

// Frames and plug-ins (other realms, other documents), <meta> (refresh, policies), <base>, and
// <link> (preconnect/prefetch: Chromium opens those connections before any policy is asked).
const FRAMES = 'iframe,frame,frameset,object,embed,portal,fencedframe,meta,base,link';
const FRAME_TAGS = new Set(FRAMES.split(','));

const refuse = (what: string): never => {
	report({type: 'warning', message: `the render sandbox refused ${what}`});
	throw new DOMException(`${what} is not allowed in a render`, 'SecurityError');
};

const isFrame = (node: unknown): boolean => {
	if (!(node instanceof Node)) return false;
	if (node instanceof Element && FRAME_TAGS.has(node.localName)) return true;
	return (node instanceof Element || node instanceof DocumentFragment) && node.querySelector(FRAMES) !== null;
};

// Wraps methods that insert nodes: refuse when any inserted node is or holds a frame.
const guardInsertions = (proto: object, methods: string[]): void => {
	for (const method of methods) {
		const original = (proto as Record<string, unknown>)[method];
		if (typeof original !== 'function') continue;
		Object.defineProperty(proto, method, {
			configurable: false,
			writable: false,
			value: function (this: unknown, ...args: unknown[]) {
				if (args.some(isFrame)) refuse(`inserting a frame (${method})`);
				return (original as (...a: unknown[]) => unknown).apply(this, args);
			},
		});
	}
};

// HTML string sinks. Parsing into a live document would already start the frames' loads (and
// Chromium preconnects to them before their policy check), so the markup is parsed first in an
// inert <template>; only markup without such elements reaches the real sink, as given.
const inert = (html: unknown): string => {
	const template = createElementOriginal.call(document, 'template') as HTMLTemplateElement;
	templateInnerHtml.call(template, html);
	const found = template.content.querySelectorAll(FRAMES);
	if (found.length === 0) return String(html);
	report({type: 'warning', message: `the render sandbox removed <${found[0].localName}> from markup a scene set`});
	found.forEach((element) => element.remove());
	return templateInnerHtmlGet.call(template) as string;
};

const createElementOriginal = Document.prototype.createElement;
const innerHtmlDescriptor = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML')!;
const templateInnerHtml = innerHtmlDescriptor.set!;
const templateInnerHtmlGet = innerHtmlDescriptor.get!;

const sanitizeSink = (proto: object, property: string, htmlArgument: number): void => {
	const descriptor = Object.getOwnPropertyDescriptor(proto, property);
	if (!descriptor) return;
	if (descriptor.set) {
		const {get, set} = descriptor;
		Object.defineProperty(proto, property, {
			configurable: false,
			get,
			set(this: Element, value: unknown) {
				set.call(this, inert(value));
			},
		});
	} else if (typeof descriptor.value === 'function') {
		const original = descriptor.value as (...a: unknown[]) => unknown;
		lock(proto, property, function (this: unknown, ...args: unknown[]) {
			args[htmlArgument] = inert(args[htmlArgument]);
			return original.apply(this, args);
		});
	}
};

const lock = (target: object, property: string, value: unknown): void => {
	Object.defineProperty(target, property, {configurable: false, writable: false, value});
};

const guardFrames = (): void => {
	const createElement = createElementOriginal;
	lock(Document.prototype, 'createElement', function (this: Document, tag: string, options?: ElementCreationOptions) {
		if (FRAME_TAGS.has(String(tag).toLowerCase())) refuse(`creating <${tag}>`);
		return createElement.call(this, tag, options);
	});
	const createElementNS = Document.prototype.createElementNS;
	lock(Document.prototype, 'createElementNS', function (this: Document, ns: string | null, tag: string, options?: unknown) {
		const local = String(tag).split(':').pop()!.toLowerCase();
		if (FRAME_TAGS.has(local)) refuse(`creating <${tag}>`);
		return (createElementNS as (...a: unknown[]) => Element).call(this, ns, tag, options);
	});
	guardInsertions(Node.prototype, ['appendChild', 'insertBefore', 'replaceChild']);
	for (const proto of [Element.prototype, Document.prototype, DocumentFragment.prototype, CharacterData.prototype]) {
		guardInsertions(proto, ['append', 'prepend', 'before', 'after', 'replaceWith', 'replaceChildren', 'moveBefore']);
	}
	guardInsertions(Element.prototype, ['insertAdjacentElement']);
	guardInsertions(Range.prototype, ['insertNode', 'surroundContents']);
	for (const proto of [Element.prototype, ShadowRoot.prototype]) {
		sanitizeSink(proto, 'innerHTML', 0);
		sanitizeSink(proto, 'setHTMLUnsafe', 0);
		sanitizeSink(proto, 'setHTML', 0);
	}
	sanitizeSink(Element.prototype, 'outerHTML', 0);
	sanitizeSink(Element.prototype, 'insertAdjacentHTML', 1);
	sanitizeSink(Range.prototype, 'createContextualFragment', 0);
	// The page's own <link> (index.html's favicon) could be turned into a preconnect.
	document.querySelectorAll('link').forEach((link) => link.remove());
	for (const method of ['open', 'write', 'writeln', 'execCommand']) {
		lock(Document.prototype, method, () => refuse(`document.${method}()`));
	}
};

const guardPopups = (): void => {
	lock(window, 'open', () => {
		report({type: 'warning', message: 'the render sandbox refused window.open(): pop-ups are not allowed in a render'});
		return null;
	});
};

const guardNavigation = (): void => {
	// Chromium ≥ 102: a navigation this document starts fires a cancelable `navigate` event.
	const navigation = (window as unknown as {navigation?: EventTarget}).navigation;
	navigation?.addEventListener('navigate', (event) => {
		const navigate = event as Event & {destination: {url: string; sameDocument: boolean}; cancelable: boolean};
		if (navigate.destination.sameDocument) return;
		event.preventDefault();
		report({type: 'warning', message: `the render sandbox refused to navigate the page to ${navigate.destination.url}`});
	});
	for (const method of ['back', 'forward', 'go']) {
		lock(History.prototype, method, () => refuse(`history.${method}()`));
	}
};

// Every request the policy refused becomes a warning of the render: the user sees why an image
// or a font is missing, and the tests see the wall hold. One warning per origin, and a bounded
// number of them, so a scene that tries thousands of addresses cannot flood the render's record.
const MAX_REPORTED_ORIGINS = 20;

const originOf = (uri: string): string => {
	try {
		return new URL(uri).origin;
	} catch {
		return uri || 'a request';
	}
};

const reportViolations = (): void => {
	const seen = new Set<string>();
	document.addEventListener('securitypolicyviolation', (event) => {
		const origin = originOf(event.blockedURI);
		if (seen.has(origin) || seen.size > MAX_REPORTED_ORIGINS) return;
		seen.add(origin);
		report({
			type: 'warning',
			message:
				seen.size > MAX_REPORTED_ORIGINS
					? 'the render sandbox blocked requests to more origins than are listed here'
					: `the render sandbox blocked ${event.blockedURI || 'a request'} (${event.effectiveDirective}): scenes may load only the site's own assets and public https`,
		});
	});
};

// Connections the Content-Security-Policy does not govern. WebRTC's ICE sends STUN and TURN (UDP
// and TCP) to any address a scene names, loopback and private ranges included, carrying a
// username it chooses; RTCIceTransport can gather on its own. WebTransport is covered by
// connect-src, but a frame is a function of its props and no live connection has a place in it.
// So every constructor of these families is gone from the page: a scene has no other realm to
// take them from (no frames, no workers, no pop-ups).
const NETWORK_INTERFACES = /^(webkit)?RTC|^WebTransport/;

const guardPeerConnections = (): void => {
	for (const name of Object.getOwnPropertyNames(window)) {
		if (!NETWORK_INTERFACES.test(name)) continue;
		const refused = function () {
			refuse(`${name} (WebRTC and WebTransport are not available in a render)`);
		};
		lock(window, name, refused);
	}
};

export const installGuards = (): void => {
	reportViolations();
	guardPeerConnections();
	guardPopups();
	guardNavigation();
	guardFrames();
};

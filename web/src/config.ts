// How the page finds the API and signs in: /config.json, written by whoever serves the page
// (the local stack: a ready token for its local user; AWS: the Cognito app client).
import {UserManager} from 'oidc-client-ts';

export type PageConfig =
	| {mode: 'local'; apiUrl: string; token: string; user: string}
	| {mode: 'cognito'; apiUrl: string; authority: string; clientId: string; redirectUri: string};

export const loadConfig = async (): Promise<PageConfig> => {
	const response = await fetch('config.json');
	if (!response.ok) throw new Error(`config.json: ${response.status}`);
	return response.json();
};

export type Session = {
	token: () => Promise<string>; // the bearer token for API calls
	user: () => Promise<string | null>; // who is signed in, to show
};

// With Cognito, signs in through the hosted login when needed.
export const createSession = (config: PageConfig): Session => {
	if (config.mode === 'local') return {token: async () => config.token, user: async () => config.user};
	const users = new UserManager({
		authority: config.authority,
		client_id: config.clientId,
		redirect_uri: config.redirectUri,
		response_type: 'code',
		scope: 'openid email',
	});
	return {
		token: async () => {
			if (window.location.search.includes('code=')) {
				await users.signinRedirectCallback();
				window.history.replaceState({}, '', config.redirectUri);
			}
			const user = await users.getUser();
			if (user && !user.expired) return user.access_token;
			await users.signinRedirect();
			return new Promise<string>(() => undefined); // the page is leaving for the login
		},
		user: async () => {
			const user = await users.getUser();
			return (user?.profile.email as string | undefined) ?? user?.profile.sub ?? null;
		},
	};
};

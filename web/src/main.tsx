import React from 'react';
import {createRoot} from 'react-dom/client';
import {QueryClient, QueryClientProvider} from '@tanstack/react-query';
import {App} from './App';
import {createApi} from './api/client';
import {ApiProvider} from './api/context';
import {createSession, loadConfig} from './config';
import './styles.css';

const root = createRoot(document.getElementById('root')!);

loadConfig()
	.then((config) => {
		const session = createSession(config);
		const api = createApi(config.apiUrl, session.token);
		const queries = new QueryClient({
			defaultOptions: {
				queries: {
					refetchOnWindowFocus: false,
					// A read that failed for want of a connection tries again by itself until it works.
					refetchInterval: (query) => (query.state.error instanceof TypeError ? 5000 : false),
				},
			},
		});
		root.render(
			<React.StrictMode>
				<QueryClientProvider client={queries}>
					<ApiProvider api={api}>
						<App session={session} />
					</ApiProvider>
				</QueryClientProvider>
			</React.StrictMode>,
		);
	})
	.catch((error) => root.render(<p role="alert">Framecast could not start: {String(error)}</p>));

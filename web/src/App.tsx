import React, {useEffect, useState} from 'react';
import {useQuery} from '@tanstack/react-query';
import {useQueries} from './api/queries';
import {useRunningRender} from './api/running';
import {Deliveries} from './components/Deliveries';
import {ErrorMessage} from './components/ErrorMessage';
import {ExportProgress} from './components/ExportProgress';
import {ProjectView} from './components/ProjectView';
import {RecentExports, StatsPanel} from './components/RecentExports';
import type {Session} from './config';
import {useSelectedProject} from './lib/projectUrl';
import {usePage} from './store';

const useSignedInUser = (session: Session): string | null => {
	const [user, setUser] = useState<string | null>(null);
	useEffect(() => {
		session.user().then(setUser, () => setUser(null));
	}, [session]);
	return user;
};

export const App: React.FC<{session: Session}> = ({session}) => {
	const q = useQueries();
	const projects = useQuery(q.projects());
	const [projectId, select] = useSelectedProject();
	const page = usePage();
	const user = useSignedInUser(session);
	const [menuOpen, setMenuOpen] = useState(false);
	const items = projects.data?.items;
	const selected = items?.find((p) => p.projectId === projectId);
	const running = useRunningRender();

	// An export found running (after a reload, or started in another tab) is shown again.
	const show = page.show;
	useEffect(() => {
		if (running && !page.shownRenderId) show(running.renderId);
	}, [running, page.shownRenderId, show]);

	// No project named in the URL (or one that is gone): the first one, without a history entry.
	useEffect(() => {
		if (items?.length && !items.some((p) => p.projectId === projectId)) select(items[0].projectId, {replace: true});
	}, [items, projectId, select]);

	return (
		<div className="layout">
			<a className="skip-link" href="#main">
				Skip to the project
			</a>
			<aside>
				<div className="brand">
					<h1>
						<img src="favicon.svg" alt="" width={24} height={24} /> Framecast
					</h1>
					<button
						type="button"
						className="menu-toggle"
						aria-expanded={menuOpen}
						aria-controls="projects-nav"
						onClick={() => setMenuOpen(!menuOpen)}
					>
						Projects
					</button>
				</div>
				<nav aria-label="Projects" id="projects-nav" className={menuOpen ? 'open' : ''}>
					{projects.error ? <ErrorMessage error={projects.error} onRetry={() => projects.refetch()} /> : null}
					<ul>
						{(items ?? []).map((p) => (
							<li key={p.projectId}>
								<a
									href={`?project=${encodeURIComponent(p.projectId)}`}
									aria-current={p.projectId === projectId ? 'page' : undefined}
									onClick={(event) => {
										event.preventDefault();
										select(p.projectId);
										setMenuOpen(false);
									}}
								>
									{p.title} <span className="format">{p.format}</span>
								</a>
							</li>
						))}
					</ul>
				</nav>
				<StatsPanel />
				{user ? (
					<p className="user small">
						Signed in as <strong>{user}</strong>
					</p>
				) : null}
			</aside>
			<main id="main" tabIndex={-1}>
				{projectId ? (
					<ProjectView key={projectId} projectId={projectId} title={selected?.title} />
				) : projects.data ? (
					<p className="muted">No projects yet.</p>
				) : null}
				{page.shownRenderId ? (
					<ExportProgress
						key={page.shownRenderId}
						renderId={page.shownRenderId}
						onDismiss={() => page.show(null)}
					/>
				) : null}
				<RecentExports onShow={page.show} />
			</main>
			<Deliveries />
		</div>
	);
};

import React, {useEffect} from 'react';
import {useProjects} from './api/queries';
import {ErrorMessage} from './components/ErrorMessage';
import {ExportProgress} from './components/ExportProgress';
import {ProjectView} from './components/ProjectView';
import {RecentExports, StatsPanel} from './components/RecentExports';
import {usePage} from './store';

export const App: React.FC = () => {
	const projects = useProjects();
	const page = usePage();
	const items = projects.data?.items ?? [];

	useEffect(() => {
		if (!page.projectId && items.length) page.selectProject(items[0].projectId);
	}, [items, page]);

	return (
		<div className="layout">
			<aside>
				<h1>Framecast</h1>
				<nav aria-label="Projects">
					{projects.error ? <ErrorMessage error={projects.error} /> : null}
					<ul>
						{items.map((p) => (
							<li key={p.projectId}>
								<button
									type="button"
									aria-current={p.projectId === page.projectId}
									onClick={() => page.selectProject(p.projectId)}
								>
									{p.title} <span className="muted">{p.format}</span>
								</button>
							</li>
						))}
					</ul>
				</nav>
				<StatsPanel />
			</aside>
			<main>
				{page.projectId ? <ProjectView projectId={page.projectId} /> : <p className="muted">No projects yet.</p>}
				{page.activeRenderId ? (
					<ExportProgress key={page.activeRenderId} renderId={page.activeRenderId} onDismiss={() => page.follow(null)} />
				) : null}
				<RecentExports onShow={page.follow} />
			</main>
		</div>
	);
};

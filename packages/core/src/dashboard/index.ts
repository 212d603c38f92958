export { createDashboard, type DashboardOptions } from './dashboard.js';
export type { DashboardFlag, DashboardState } from './dashboard-state.js';
export { RECENT_CHANGES, type RecentChange, type SourceState } from './history.js';

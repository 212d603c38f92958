export {
  createDashboard,
  type DashboardFlag,
  type DashboardOptions,
  type DashboardState,
} from './dashboard.js';
export { RECENT_CHANGES, type RecentChange, type SourceState } from './history.js';

/** The sandbox's limits enforced without cgroups: per-process rlimits and a watch on the process count. */
import { limitCases } from './limits-cases.js';

limitCases(false);

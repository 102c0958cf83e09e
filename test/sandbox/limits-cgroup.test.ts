/** The sandbox's limits enforced with cgroups (memory, processes, CPU for the whole tree). */
import { limitCases } from './limits-cases.js';

limitCases(true);

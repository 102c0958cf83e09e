/** The same techniques under a layer no static reading sees through: still caught, because they still run. */
import { techniqueCases } from './techniques-cases.js';

techniqueCases(true);

/** Install-time techniques, as written: each caught by the dynamic check. */
import { techniqueCases } from './techniques-cases.js';

techniqueCases(false);

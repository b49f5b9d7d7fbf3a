// The dashboard's entry point (bundled by scripts/build.mjs to collector/dist/web/).
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { PAGES } from './pages/index.js';
import { Shell } from './shell.js';

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no element #app');
void new Shell(root, PAGES).start();

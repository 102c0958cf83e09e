/**
 * What the standard library and the common HTTP clients mean to the data
 * flow: which calls read secrets or the host's identity (sources), which run
 * code, start processes, send data or write files (sinks). Names are
 * qualified the way the evaluator resolves them: `os.system`,
 * `subprocess.Popen`, and `X()` for an instance of X (`socket.socket().send`).
 */

export type Sink = 'exec' | 'process' | 'network' | 'write';

const execSinks = new Set(['builtins.exec', 'builtins.eval', 'builtins.compile', 'builtins.execfile', 'runpy.run_path', 'code.InteractiveInterpreter().runsource']);

const processSinks = new Set([
  'os.system', 'os.popen', 'os.startfile', 'os.execl', 'os.execle', 'os.execlp', 'os.execlpe', 'os.execv', 'os.execve', 'os.execvp',
  'os.execvpe', 'os.spawnl', 'os.spawnle', 'os.spawnlp', 'os.spawnlpe', 'os.spawnv', 'os.spawnve', 'os.spawnvp', 'os.spawnvpe',
  'os.posix_spawn', 'os.posix_spawnp', 'subprocess.Popen', 'subprocess.run', 'subprocess.call', 'subprocess.check_call',
  'subprocess.check_output', 'subprocess.getoutput', 'subprocess.getstatusoutput', 'pty.spawn', 'commands.getoutput',
  'asyncio.create_subprocess_shell', 'asyncio.create_subprocess_exec', 'win32api.ShellExecute', 'win32process.CreateProcess',
  'ctypes.windll.shell32.ShellExecuteW', 'ctypes.windll.shell32.ShellExecuteA', 'pip.main', 'pip._internal.main',
  'pip._internal.cli.main.main', 'webbrowser.open',
]);

/** Calls that use the network; what reaches their arguments is sent (a URL carries data too). */
const networkSinks = new Set([
  'requests.get', 'requests.post', 'requests.put', 'requests.patch', 'requests.delete', 'requests.head', 'requests.request',
  'requests.Session().get', 'requests.Session().post', 'requests.Session().put', 'requests.session().get', 'requests.session().post',
  'httpx.get', 'httpx.post', 'httpx.put', 'httpx.request', 'httpx.Client().get', 'httpx.Client().post', 'httpx.AsyncClient().post',
  'httpx.AsyncClient().get', 'urllib.request.urlopen', 'urllib.request.Request', 'urllib.request.urlretrieve', 'urllib.urlopen',
  'urllib.urlretrieve', 'urllib2.urlopen', 'urllib2.Request', 'urllib3.PoolManager().request', 'urllib3.request',
  'http.client.HTTPConnection().request', 'http.client.HTTPSConnection().request', 'httplib.HTTPConnection().request',
  'socket.socket().send', 'socket.socket().sendall', 'socket.socket().sendto', 'socket.socket().connect', 'socket.socket().connect_ex', 'socket.create_connection',
  'socket.gethostbyname', 'socket.getaddrinfo', 'dns.resolver.resolve', 'dns.resolver.query', 'dns.resolver.Resolver().resolve',
  'smtplib.SMTP().sendmail', 'smtplib.SMTP().send_message', 'smtplib.SMTP_SSL().sendmail', 'smtplib.SMTP_SSL().send_message',
  'aiohttp.ClientSession().post', 'aiohttp.ClientSession().get', 'discord_webhook.DiscordWebhook', 'dhooks.Webhook().send',
  'dhooks.Webhook', 'telebot.TeleBot().send_message', 'telebot.TeleBot().send_document', 'wget.download', 'pycurl.Curl().setopt',
  'ftplib.FTP().storbinary', 'paramiko.SSHClient().connect', 'discord.SyncWebhook.from_url().send', 'discord.Webhook.from_url().send',
  'discord.SyncWebhook.partial().send', 'discord.Webhook.partial().send', 'discord_webhook.DiscordWebhook().execute',
  'webhook().send', 'webhook().execute', 'webhook().post',
]);

const writeSinks = new Set(['shutil.copy', 'shutil.copyfile', 'shutil.copyfileobj', 'shutil.copy2', 'shutil.move', 'urllib.request.urlretrieve', 'urllib.urlretrieve', 'wget.download']);

/**
 * The last name of every sink (`system`, `Popen`, `write`): a call whose
 * callee ends in none of them, and is not computed, renamed or assigned, is
 * no sink, and is not worth evaluating.
 */
export const sinkTails: ReadonlySet<string> = new Set(
  [...execSinks, ...processSinks, ...networkSinks, ...writeSinks, 'x.write', 'x.write_bytes', 'x.write_text', 'x.writelines'].map((n) => n.slice(n.lastIndexOf('.') + 1)),
);

/** What a call does, as sinks: a download to a file both uses the network and writes. */
export function sinksOf(name: string): Sink[] {
  const out: Sink[] = [];
  if (execSinks.has(name)) out.push('exec');
  if (processSinks.has(name)) out.push('process');
  if (networkSinks.has(name)) out.push('network');
  if (writeSinks.has(name) || /\.(write|write_bytes|write_text|writelines)$/.test(name)) out.push('write');
  return out;
}

/** Calls whose result is data read from the network. */
export const networkReads = /^(requests\.(get|post|request|Session\(\)\.get)|httpx\.(get|Client\(\)\.get)|urllib\.request\.urlopen|urllib2?\.urlopen|urllib3\.(PoolManager\(\)\.)?request|aiohttp\.ClientSession\(\)\.get|socket\.socket\(\)\.recv|http\.client\.HTTPS?Connection\(\)\.getresponse)\(\)/;

/** Calls whose result tells who and where the host is. */
const reconCalls = new Set([
  'socket.gethostname', 'socket.getfqdn', 'getpass.getuser', 'os.getlogin', 'os.getcwd', 'os.uname', 'platform.node',
  'platform.uname', 'platform.platform', 'uuid.getnode', 'os.getuid', 'psutil.users', 'socket.gethostbyname_ex',
]);

/** Environment variables that hold secrets. */
const secretVariable = /SECRET|TOKEN|PASSW|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|SESSION|^AWS_|^GITHUB_|^GH_|^NPM_|^PYPI|^TWINE_/i;
/** Environment variables that say who and where the host is. */
const reconVariable = /^(USER|USERNAME|LOGNAME|USERDOMAIN|COMPUTERNAME|HOSTNAME|HOME|PWD|USERPROFILE)$/i;

/** The taint of reading an environment variable by name (`undefined`: the whole environment). */
export function environmentTaint(name: string | undefined): 'secret' | 'recon' | undefined {
  if (name === undefined) return 'recon';
  if (secretVariable.test(name)) return 'secret';
  if (reconVariable.test(name)) return 'recon';
  return undefined;
}

export function isReconCall(name: string): boolean {
  return reconCalls.has(name);
}

/** Paths of credential files: what cloud tools and uploaders read for their own use, and stealers for theirs. */
export const secretPath = /\.aws[\\/]credentials|\.ssh[\\/]|id_rsa|id_ed25519|\.netrc|\.pypirc|\.git-credentials|\.docker[\\/]config\.json|\.kube[\\/]config|\.npmrc|\/etc\/shadow|\/var\/run\/secrets\/|serviceaccount[\\/]token/i;

/** Paths of browser, messenger and wallet stores. */
export const storePath =
  /Local Storage|leveldb|Login Data|Web Data|Local State|[\\/]Cookies|cookies\.sqlite|logins\.json|key[34]\.db|wallet|Exodus|Electrum|Atomic[\\/]|MetaMask|nkbihfbeogaeaoehlefnkodbefgpgknn|Telegram Desktop[\\/]tdata|Keychains/i;

/** Calls that read a file, a database or a folder; reading a secret path makes a secret. */
export const fileReads = new Set([
  'builtins.open', 'io.open', 'codecs.open', 'sqlite3.connect', 'shutil.copy', 'shutil.copyfile', 'shutil.copy2', 'os.listdir',
  'glob.glob', 'os.walk', 'pathlib.Path', 'os.scandir',
]);

/** Calls whose result is a secret whatever their argument. */
export const secretCalls = new Set(['win32crypt.CryptUnprotectData', 'browser_cookie3.chrome', 'browser_cookie3.load', 'browser_cookie3.firefox', 'browser_cookie3.edge', 'pyperclip.paste', 'keyring.get_password', 'ImageGrab.grab', 'PIL.ImageGrab.grab', 'pyautogui.screenshot']);

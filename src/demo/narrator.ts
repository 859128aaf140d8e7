/**
 * Prints the demo's story: colours and a spinner on a terminal, plain lines otherwise
 * (CI logs, pipes).
 */
export class Narrator {
  private spinner: NodeJS.Timeout | undefined;
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    this.tty = Boolean(out.isTTY) && !process.env.NO_COLOR;
  }

  private paint = (code: number, text: string) => (this.tty ? `\x1b[${code}m${text}\x1b[0m` : text);

  step(n: number, title: string) {
    this.stop();
    this.out.write(`\n${this.paint(1, `${n}. ${title}`)}\n`);
  }

  /** One hop the user (or the agent) would see. */
  say(text: string) {
    this.stop();
    this.out.write(`   ${text}\n`);
  }

  quote(text: string) {
    this.say(this.paint(33, `“${text}”`));
  }

  ok(text: string) {
    this.say(`${this.paint(32, '✔')} ${text}`);
  }

  fail(text: string) {
    this.say(`${this.paint(31, '✘')} ${text}`);
  }

  /** Shows work in progress; the next line replaces it. */
  wait(text: string) {
    this.stop();
    if (!this.tty) {
      this.out.write(`   ${text}…\n`);
      return;
    }
    const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let i = 0;
    const draw = () => this.out.write(`\r   ${this.paint(36, frames[i++ % frames.length]!)} ${text}…`);
    draw();
    this.spinner = setInterval(draw, 80);
  }

  stop() {
    if (!this.spinner) return;
    clearInterval(this.spinner);
    this.spinner = undefined;
    this.out.write('\r\x1b[2K');
  }
}

// The base of the admin pages built around one list from the API.
import { LightElement } from '../ui.js';

export const optionalInt = (value) => {
  const n = Number.parseInt(value, 10);
  return Number.isNaN(n) ? undefined : n;
};

/**
 * An admin page built around one list from the API: it loads the list when shown and reloads
 * it after every change; a failure of either lands in `error`, shown in the page's error box.
 */
export class ListPage extends LightElement {
  static properties = {
    items: { state: true },
    error: { state: true },
  };

  constructor(loadItems) {
    super();
    this.loadItems = loadItems;
    this.items = null;
    this.error = '';
  }

  connectedCallback() {
    super.connectedCallback();
    this.load();
  }

  async load() {
    try {
      this.items = await this.loadItems();
    } catch (e) {
      this.error = e.message;
    }
  }

  /** Sends one change, then reloads the list. Returns the change's response, or undefined if it failed. */
  async change(request) {
    this.error = '';
    try {
      const response = await request();
      await this.load();
      return response;
    } catch (e) {
      this.error = e.message;
      return undefined;
    }
  }
}

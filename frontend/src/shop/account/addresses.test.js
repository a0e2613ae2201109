// Focus: address forms → create and edit bodies the API takes.
import { describe, expect, it } from 'vitest';
import { addressForm, addressLine, createBody, missingFields, patchBody, sortAddresses } from './addresses.js';

const saved = {
  id: 7, recipient: '张三', phone: '13800138000', country: 'CN', region: '上海', city: '上海市',
  district: null, line1: '世纪大道 100 号', line2: null, postal_code: '200120', is_default: true,
};

describe('address forms', () => {
  it('start blank in China, or from a saved address', () => {
    expect(addressForm()).toMatchObject({ recipient: '', country: 'CN', is_default: false });
    expect(addressForm(saved)).toMatchObject({ recipient: '张三', district: '', is_default: true });
  });

  it('create with trimmed values, no empty optional fields, country upper-case', () => {
    const f = { ...addressForm(), recipient: ' 李四 ', phone: '13900000000', country: 'cn', city: '北京', line1: '长安街 1 号' };
    expect(createBody(f)).toEqual({ recipient: '李四', phone: '13900000000', country: 'CN', city: '北京', line1: '长安街 1 号' });
    expect(createBody({ ...f, is_default: true }).is_default).toBe(true);
  });

  it('edit only what changed, clearing an optional field with empty text', () => {
    const f = addressForm(saved);
    expect(patchBody(saved, f)).toEqual({});
    f.city = ' 杭州市 ';
    f.postal_code = '';
    f.is_default = false;
    expect(patchBody(saved, f)).toEqual({ city: '杭州市', postal_code: '', is_default: false });
  });

  it('name the missing required fields', () => {
    expect(missingFields(addressForm())).toEqual(['recipient', 'phone', 'city', 'line1']);
    expect(missingFields(addressForm(saved))).toEqual([]);
  });

  it('show one line and keep the default first', () => {
    expect(addressLine(saved)).toBe('张三 · 13800138000 · 上海 · 上海市 · 世纪大道 100 号');
    expect(sortAddresses([{ id: 2, is_default: false }, { id: 1, is_default: false }, { id: 3, is_default: true }])
      .map((a) => a.id)).toEqual([3, 1, 2]);
  });
});

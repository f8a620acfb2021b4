// The SOAP stand-in driven by a third-party SOAP client (node-soap, a pinned dev dependency), from a WSDL
// this test writes with the element names and types our envelopes use (SuperOffice's Services88 WSDLs,
// SuperOfficeDocs/superoffice-docs docs/en/api/reference/soap/Services88/Services88-{Associate,Contact}.md,
// reduced to these calls). Both sides are held to that one contract: node-soap's requests must be
// accepted and its reading of the answers must hold; our own envelopes must use the WSDL's names in
// its order.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAgentRequest, createSystemUserClient } from 'superoffice-auth';
import { standIn, watchUnhandledRejections } from './helpers/stand-in.mjs';

const unhandled = watchUnhandledRejections();
after(() => assert.deepEqual(unhandled, [], 'no unhandled rejections'));

const requireDev = createRequire(join(process.env.SUPEROFFICE_AUTH_REPO ?? process.cwd(), 'package.json'));
const soap = requireDev('soap');
const { XMLParser } = requireDev('fast-xml-parser');

const NS = 'http://www.superoffice.net/ws/crm/NetServer/Services88';
const ARRAYS = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';

// Each type's sequence, in the WSDL's order (only the members the stand-in fills, plus the ones our
// envelopes send). [name, type, extra attributes]
const TYPES = {
  Associate: [
    ['AssociateId', 'xs:int'],
    ['Name', 'xs:string'],
    ['PersonId', 'xs:int'],
    ['Rank', 'xs:short'],
    ['Tooltip', 'xs:string'],
    ['Type', 'xs:string'],
    ['GroupIdx', 'xs:int'],
    ['FullName', 'xs:string'],
    ['FormalName', 'xs:string'],
    ['Deleted', 'xs:boolean'],
    ['EjUserId', 'xs:int'],
    ['UserName', 'xs:string'],
  ],
  ArrayOfAssociate: [['Associate', 'tns:Associate', 'maxOccurs="unbounded"']],
  EntityElement: [
    ['Value', 'xs:string'],
    ['StrippedValue', 'xs:string'],
    ['Description', 'xs:string'],
  ],
  ArrayOfEntityElement: [['EntityElement', 'tns:EntityElement', 'maxOccurs="unbounded"']],
  Category: [
    ['Id', 'xs:int'],
    ['Value', 'xs:string'],
    ['Tooltip', 'xs:string'],
  ],
  Country: [
    ['CountryId', 'xs:int'],
    ['Name', 'xs:string'],
    ['CurrencyId', 'xs:int'],
    ['EnglishName', 'xs:string'],
    ['TwoLetterISOCountry', 'xs:string'],
  ],
  ContactEntity: [
    ['ContactId', 'xs:int'],
    ['Name', 'xs:string'],
    ['Department', 'xs:string'],
    ['OrgNr', 'xs:string'],
    ['Number1', 'xs:string'],
    ['UpdatedDate', 'xs:dateTime'],
    ['Emails', 'tns:ArrayOfEntityElement'],
    ['Phones', 'tns:ArrayOfEntityElement'],
    ['Category', 'tns:Category'],
    ['Country', 'tns:Country'],
  ],
  SoCredentials: [['Ticket', 'xs:string']],
  SoTimeZone: [
    ['SoTimeZoneId', 'xs:int'],
    ['SoTimeZoneLocationCode', 'xs:string'],
  ],
};
const METHODS = {
  Associate: {
    GetAssociate: [[['AssociateId', 'xs:int']], 'tns:Associate'],
    GetAssociateList: [[['AssociateIds', 'q:ArrayOfint']], 'tns:ArrayOfAssociate'],
  },
  Contact: { GetContactEntity: [[['ContactEntityId', 'xs:int']], 'tns:ContactEntity'] },
};

const sequence = (members) =>
  `<xs:sequence>${members.map(([name, type, extra = '']) => `<xs:element minOccurs="0" ${extra} name="${name}" nillable="true" type="${type}"/>`).join('')}</xs:sequence>`;

function wsdl(agent, location) {
  const methods = Object.entries(METHODS[agent]);
  return `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="Wcf${agent}Service" targetNamespace="${NS}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${NS}" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <wsdl:types>
    <xs:schema elementFormDefault="qualified" targetNamespace="${ARRAYS}">
      <xs:complexType name="ArrayOfint"><xs:sequence><xs:element minOccurs="0" maxOccurs="unbounded" name="int" type="xs:int"/></xs:sequence></xs:complexType>
    </xs:schema>
    <xs:schema elementFormDefault="qualified" targetNamespace="${NS}" xmlns:q="${ARRAYS}">
      <xs:import namespace="${ARRAYS}"/>
      ${Object.entries(TYPES)
        .map(([name, members]) => `<xs:complexType name="${name}">${sequence(members)}</xs:complexType>`)
        .join('\n      ')}
      <xs:element name="ApplicationToken" nillable="true" type="xs:string"/>
      <xs:element name="Credentials" nillable="true" type="tns:SoCredentials"/>
      <xs:element name="TimeZone" nillable="true" type="tns:SoTimeZone"/>
      <xs:element name="Succeeded" type="xs:boolean"/>
      ${methods
        .map(
          ([
            method,
            [params, result],
          ]) => `<xs:element name="${method}"><xs:complexType>${sequence(params)}</xs:complexType></xs:element>
      <xs:element name="${method}Response"><xs:complexType>${sequence([['Response', result]])}</xs:complexType></xs:element>`,
        )
        .join('\n      ')}
    </xs:schema>
  </wsdl:types>
  ${methods
    .map(
      ([
        method,
      ]) => `<wsdl:message name="${method}Request"><wsdl:part name="parameters" element="tns:${method}"/></wsdl:message>
  <wsdl:message name="${method}Response"><wsdl:part name="parameters" element="tns:${method}Response"/></wsdl:message>`,
    )
    .join('\n  ')}
  <wsdl:portType name="${agent}">
    ${methods.map(([method]) => `<wsdl:operation name="${method}"><wsdl:input message="tns:${method}Request"/><wsdl:output message="tns:${method}Response"/></wsdl:operation>`).join('\n    ')}
  </wsdl:portType>
  <wsdl:binding name="BasicHttpBinding_${agent}" type="tns:${agent}">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    ${methods.map(([method]) => `<wsdl:operation name="${method}"><soap:operation soapAction="${NS}/${agent}/${method}" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>`).join('\n    ')}
  </wsdl:binding>
  <wsdl:service name="Wcf${agent}Service"><wsdl:port name="BasicHttpBinding_${agent}" binding="tns:BasicHttpBinding_${agent}"><soap:address location="${location}"/></wsdl:port></wsdl:service>
</wsdl:definitions>`;
}

/** The local names of an element's children, in document order (fast-xml-parser's ordered output). */
function childNames(xml, path) {
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: true, removeNSPrefix: true });
  let nodes = parser.parse(xml);
  for (const name of path) {
    const found = nodes.find((node) => Object.hasOwn(node, name));
    assert.ok(found, `${path.join('/')}: no ${name}`);
    nodes = found[name];
  }
  return nodes.map((node) => Object.keys(node)[0]).filter((name) => name !== '#text');
}

const dir = mkdtempSync(join(tmpdir(), 'superoffice-auth-wsdl-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('node-soap drives the SOAP stand-in from the WSDL; its answers hold to it', async () => {
  const s = await standIn();
  try {
    const client = createSystemUserClient(s.options({ systemUserTokens: s.tenants }));
    const { ticket, netserverUrl } = await client.getTicket('Cust1');
    const soapClient = async (agent) => {
      const file = join(dir, `${agent}.wsdl`);
      writeFileSync(file, wsdl(agent, `${netserverUrl}${agent}.svc`));
      const c = await soap.createClientAsync(file);
      c.addSoapHeader(`<ApplicationToken xmlns="${NS}">${s.applicationToken}</ApplicationToken>`);
      c.addSoapHeader(`<Credentials xmlns="${NS}"><Ticket>${ticket}</Ticket></Credentials>`);
      return c;
    };

    const associates = await soapClient('Associate');
    const [one] = await associates.GetAssociateAsync({ AssociateId: 5 });
    assert.equal(one.Response.AssociateId, 5, 'an xs:int, as node-soap reads it');
    assert.equal(one.Response.Name, 'SYSTEM');
    assert.equal(one.Response.Deleted, false);
    assert.deepEqual(
      childNames(associates.lastResponse, ['Envelope', 'Body', 'GetAssociateResponse', 'Response']),
      TYPES.Associate.map(([n]) => n),
      "Associate in the WSDL's order",
    );
    // Optional parameters are optional: none given reads as 0, which is no one.
    const [nobody] = await associates.GetAssociateAsync({});
    assert.equal(nobody?.Response ?? null, null);
    const [list] = await associates.GetAssociateListAsync({ AssociateIds: { int: [1, 2] } });
    assert.deepEqual(
      list.Response.Associate.map((a) => a.Name),
      ['AA', 'BB'],
    );
    const [single] = await associates.GetAssociateListAsync({ AssociateIds: { int: [1] } });
    assert.deepEqual(
      [single.Response.Associate].flat().map((a) => a.Name),
      ['AA'],
    );
    // No AssociateIds (optional) is an empty list, not a fault.
    const [empty] = await associates.GetAssociateListAsync({});
    assert.deepEqual([empty?.Response?.Associate ?? []].flat(), []);
    assert.deepEqual(
      childNames(associates.lastResponse, ['Envelope', 'Body', 'GetAssociateListResponse', 'Response']),
      [],
    );

    const contacts = await soapClient('Contact');
    const [contact] = await contacts.GetContactEntityAsync({ ContactEntityId: 2 });
    assert.equal(contact.Response.ContactId, 2);
    assert.equal(contact.Response.Country.CountryId, 578);
    assert.ok(contact.Response.UpdatedDate instanceof Date, 'an xs:dateTime, as node-soap reads it');
    assert.deepEqual(
      [contact.Response.Phones.EntityElement].flat().map((p) => p.Description),
      ['Switchboard', 'Support & <help>'],
    );
    assert.match(contacts.lastRequest, /ContactEntityId>2</);
    const order = childNames(contacts.lastResponse, ['Envelope', 'Body', 'GetContactEntityResponse', 'Response']);
    assert.deepEqual(
      order,
      TYPES.ContactEntity.map(([n]) => n),
      "ContactEntity in the WSDL's order",
    );
    // The old, wrong name is not a parameter of GetContactEntity: it reads as no parameter.
    const [wrongName] = await contacts.GetContactEntityAsync({ ContactId: 2 }).catch((err) => [{ error: err }]);
    assert.equal(wrongName?.Response ?? null, null);
  } finally {
    await s.mock.close();
  }
});

test("our envelopes use the WSDL's element names, in its order", () => {
  for (const [agent, methods] of Object.entries(METHODS)) {
    for (const [method, [params]] of Object.entries(methods)) {
      const parameters = Object.fromEntries(params.map(([name, type]) => [name, type === 'q:ArrayOfint' ? [1, 2] : 7]));
      const request = buildAgentRequest({
        protocol: 'soap',
        netserverUrl: 'https://sod.superoffice.com/Cust1/Remote/Services88/',
        agent,
        method,
        parameters,
        ticket: '7T:x',
        applicationToken: 'a',
      });
      assert.equal(request.headers.SOAPAction, `"${NS}/${agent}/${method}"`);
      assert.deepEqual(childNames(request.body, ['Envelope', 'Header']), ['ApplicationToken', 'Credentials']);
      assert.deepEqual(childNames(request.body, ['Envelope', 'Body']), [method]);
      assert.deepEqual(
        childNames(request.body, ['Envelope', 'Body', method]),
        params.map(([name]) => name),
        `${agent}.${method}`,
      );
      if (params[0][1] === 'q:ArrayOfint')
        assert.deepEqual(childNames(request.body, ['Envelope', 'Body', method, params[0][0]]), ['int', 'int']);
    }
  }
});

"""The helpdesk: questions and feedback from any page, triaged and answered by
administrators; a public FAQ that administrators edit."""
